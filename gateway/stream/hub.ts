/**
 * One reader of newly admitted events per gateway, however many streams are open: every `pollMs` it reads
 * the rows after the highest position it has seen (an indexed range on the log's leaf index, unfiltered) and
 * hands each to every listener, which filters for itself. Neither store offers a change notification that
 * crosses processes (the ledger writes, the gateway reads), so a short poll it is.
 *
 * What makes a resume exact is `subscribe`: it returns the position `h0` up to which rows were handed out
 * before the listener joined. Rows are handed out page by page in one synchronous run that also advances the
 * head, and a listener is added in one synchronous run that reads the head, so every row at or below `h0` was
 * handed out before the listener existed and every row above it is handed to the listener, once, in order.
 * The subscriber replays the rest of its backlog from the store up to `h0` (gateway/stream/subscription.ts).
 */
import type { AdmittedQuery, AdmittedRow } from '../../ledger/admitted.js';

/** What the hub and the subscriptions read: a LedgerStore is one. */
export interface AdmittedFeed {
  admitted(query: AdmittedQuery): Promise<AdmittedRow[]>;
  /** the newest position: the log's size */
  log: { size(): Promise<number> };
}

export type Listener = (row: AdmittedRow) => void;

export class AdmittedHub {
  private readonly listeners = new Set<Listener>();

  /** the highest position handed out; undefined while the hub is not polling (no listeners) */
  private head: number | undefined;

  private starting: Promise<void> | undefined;

  private timer: NodeJS.Timeout | undefined;

  private closed = false;

  constructor(
    private readonly feed: () => Promise<AdmittedFeed>,
    private readonly opts: { pollMs: number; pageSize: number; onError: (err: unknown) => void },
  ) {}

  /** Adds `listener`; resolves with h0: rows above it will reach the listener, rows at or below it will not. */
  async subscribe(listener: Listener): Promise<number> {
    if (this.closed) throw new Error('the audit stream hub is closed');
    // the head may be reset by an idle tick while we wait: read it again until it holds
    while (this.head === undefined) {
      await (this.starting ??= this.start());
      if (this.closed) throw new Error('the audit stream hub is closed');
    }
    this.listeners.add(listener);
    return this.head;
  }

  unsubscribe(listener: Listener): void {
    this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  /** Polling starts at the newest position: a listener's older rows come from its own replay, not from here. */
  private async start(): Promise<void> {
    try {
      const head = await (await this.feed()).log.size();
      if (this.closed) return;
      this.head = head;
      this.timer = setTimeout(() => void this.tick(), this.opts.pollMs);
    } finally {
      this.starting = undefined;
    }
  }

  private async tick(): Promise<void> {
    // nobody listens: stop, and let the next subscriber start again from the newest position instead of
    // making it wait while the hub reads every row it missed
    if (this.listeners.size === 0) {
      this.head = undefined;
      return;
    }
    try {
      await this.poll();
    } catch (err) {
      this.opts.onError(err); // the ledger is unreachable for now: try again at the next tick
    }
    if (!this.closed) this.timer = setTimeout(() => void this.tick(), this.opts.pollMs);
  }

  private async poll(): Promise<void> {
    const feed = await this.feed();
    for (;;) {
      const rows = await feed.admitted({ after: this.head!, limit: this.opts.pageSize });
      // one synchronous run per page: the head and what the listeners got never disagree
      for (const row of rows) {
        this.head = row.position;
        for (const listener of this.listeners) listener(row);
      }
      if (rows.length < this.opts.pageSize || this.closed) return;
    }
  }
}
