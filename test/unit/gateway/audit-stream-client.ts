/**
 * A test client of GET /audit/stream as a browser page reads it: fetch() with the Authorization and
 * Last-Event-ID headers, the body parsed as Server-Sent Events (id/event/data fields, comment lines kept
 * apart). Waits are on what arrives, never on time.
 */

export interface SseFrame {
  id: string | undefined;
  event: string;
  data: string;
}

export class SseClient {
  readonly frames: SseFrame[] = [];

  readonly comments: string[] = [];

  /** resolves when the server ends the stream (or the client aborts it) */
  readonly ended: Promise<void>;

  private readonly waiters = new Set<() => void>();

  private finished = false;

  private constructor(
    readonly status: number,
    private readonly controller: AbortController,
    body: ReadableStream<Uint8Array>,
  ) {
    this.ended = this.read(body);
  }

  /** Opens the stream; anything but 200 comes back as the status and the JSON error body. */
  static async open(url: string, headers: Record<string, string>): Promise<SseClient | { status: number; body: { error: { code: string; path?: string; message: string } } }> {
    const controller = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
    if (res.status !== 200 || !res.body) return { status: res.status, body: (await res.json()) as { error: { code: string; path?: string; message: string } } };
    return new SseClient(res.status, controller, res.body);
  }

  /** the audit events received so far (not heartbeats or the end notice) */
  get events(): SseFrame[] {
    return this.frames.filter((f) => f.event === 'audit_event');
  }

  /** Resolves once `ready` holds; fails if the stream ends first. */
  async until(ready: (client: SseClient) => boolean, what: string): Promise<void> {
    while (!ready(this)) {
      if (this.finished) throw new Error(`the stream ended before ${what}`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Drops the connection, as a network failure would. */
  async abort(): Promise<void> {
    this.controller.abort();
    await this.ended;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let frame: SseFrame = { id: undefined, event: '', data: '' };
    let lines: string[] = [];
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            if (lines.length) this.frames.push({ ...frame, event: frame.event || 'message', data: lines.join('\n') });
            frame = { id: undefined, event: '', data: '' };
            lines = [];
          } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') frame.id = value;
            else if (field === 'event') frame.event = value;
            else if (field === 'data') lines.push(value);
          }
          this.wake();
        }
      }
    } catch {
      /* aborted */
    } finally {
      this.finished = true;
      this.wake();
    }
  }

  private wake(): void {
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }
}
