/**
 * Server-Sent Events read with fetch(): EventSource cannot send an Authorization header, and the token must
 * not go into a URL. The parser follows the HTML spec's rules for `id:`, `event:` and `data:` lines and
 * ignores comments (heartbeats); a pure function over text chunks, so it is tested without a browser.
 */

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/** Feeds text chunks, yields complete messages; keeps a partial line or message for the next chunk. */
export class SseParser {
  private buffer = '';
  private id: string | undefined;
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(this.buffer.startsWith('\r\n', nl) ? nl + 2 : nl + 1);
      if (line === '') {
        if (this.data.length) out.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id' && !value.includes('\u0000')) this.id = value;
    }
    return out;
  }
}

export interface StreamOptions {
  url: string;
  token: () => string;
  /** the last id received: sent as Last-Event-ID when the stream reconnects */
  lastEventId?: string;
  signal: AbortSignal;
  onMessage: (message: SseMessage) => void;
  /** the stream is open (the server answered 200) */
  onOpen?: () => void;
}

/** Reads one stream until it ends or `signal` aborts; returns the last id seen (to resume from). */
export async function readStream(opts: StreamOptions): Promise<string | undefined> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token()}`, accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
  const res = await fetch(opts.url, { headers, signal: opts.signal });
  if (!res.ok || !res.body) throw new Error(`the live stream answered ${res.status}`);
  opts.onOpen?.();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  let last = opts.lastEventId;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return last;
    for (const message of parser.push(decoder.decode(value, { stream: true }))) {
      if (message.id !== undefined) last = message.id;
      opts.onMessage(message);
    }
  }
}
