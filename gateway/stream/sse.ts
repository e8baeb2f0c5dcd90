/**
 * Server-Sent Events on a raw HTTP response (WHATWG HTML §9.2): `id:` is the event's position in the
 * ledger's admission order (ledger/admitted.ts), which a client sends back as Last-Event-ID to resume;
 * `event: audit_event`; `data:` one line of JSON. Heartbeats are comment lines, which parsers ignore.
 *
 * The response's own write buffer is the stream's queue: a row is written at once, and once more than
 * `maxBufferedBytes` wait for a client that does not read, the stream is over its bound (the subscription
 * ends it). The replay waits for 'drain' between pages, so only live rows can fill it.
 */
import type { ServerResponse } from 'node:http';
import type { AdmittedRow } from '../../ledger/admitted.js';
import type { SubscriptionSink } from './subscription.js';

export const AUDIT_EVENT = 'audit_event';

/** How long a stream ended with data still queued may take to flush before its socket is cut. */
const END_GRACE_MS = 10_000;

/** The `data:` of one event: the envelope as recorded, when it was admitted, and its emitter's signature. */
export function eventData(row: AdmittedRow): string {
  // parsed and serialised again rather than spliced: JSON.stringify escapes every CR and LF, which would
  // otherwise end the data line early
  return JSON.stringify({
    position: row.position,
    event: JSON.parse(row.body) as unknown,
    ingested_at: row.ingested_ms === null ? null : new Date(row.ingested_ms).toISOString(),
    emitter_signature: row.emitter_kid && row.emitter_sig ? { kid: row.emitter_kid, sig: row.emitter_sig } : null,
  });
}

/** The hub hands each live row to every open stream as the same object: its frame is formatted once for all of them. */
const frames = new WeakMap<AdmittedRow, string>();

export function eventFrame(row: AdmittedRow): string {
  let frame = frames.get(row);
  if (frame === undefined) {
    frame = `id: ${row.position}\nevent: ${AUDIT_EVENT}\ndata: ${eventData(row)}\n\n`;
    frames.set(row, frame);
  }
  return frame;
}

export class SseResponse implements SubscriptionSink {
  constructor(
    private readonly raw: ServerResponse,
    private readonly maxBufferedBytes: number,
  ) {}

  get open(): boolean {
    return !this.raw.writableEnded && !this.raw.destroyed;
  }

  /** The status line and headers, and the reconnection hint. */
  start(headers: Record<string, string | number | string[] | undefined>, retryMs: number): void {
    this.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // a buffering reverse proxy (nginx) would hold events back
      'x-accel-buffering': 'no',
    });
    this.raw.write(`retry: ${retryMs}\n\n`);
  }

  deliver(row: AdmittedRow): boolean {
    if (!this.open) return true; // the client left; the route stops the subscription on 'close'
    this.raw.write(eventFrame(row));
    return this.raw.writableLength <= this.maxBufferedBytes;
  }

  drained(): Promise<void> {
    if (!this.open || !this.raw.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.raw.off('drain', done);
        this.raw.off('close', done);
        resolve();
      };
      this.raw.on('drain', done);
      this.raw.on('close', done);
    });
  }

  heartbeat(): void {
    if (this.open) this.raw.write(': hb\n\n');
  }

  /** Ends the stream, after a last event saying why (the client reconnects, or re-authenticates first). */
  end(event?: { name: string; data: Record<string, unknown> }): void {
    if (!this.open) return;
    this.raw.end(event ? `event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n` : undefined);
    // a client that stopped reading would keep the queued bytes for ever
    setTimeout(() => this.raw.destroy(), END_GRACE_MS).unref();
  }
}
