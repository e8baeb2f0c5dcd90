/**
 * One stream's feed: first its backlog — the rows after its resume position, filtered in SQL, page by page,
 * up to the hub's position h0 at the moment it joined —, then the hub's live rows, filtered here with the
 * same equalities (ledger/admitted.ts). Live rows that arrive during the replay are held (they are all above
 * h0) and handed over once the replay reached h0, in the same synchronous run that switches to live: so no
 * row is missed (the replay covers up to h0, the hub everything after) and none comes twice (each position is
 * delivered only when it is above the last one delivered).
 *
 * Memory is bounded: the replay writes a page, then waits for the sink to drain; live rows cannot wait, so
 * the held rows and the sink's buffer each have a byte limit, past which the subscription ends with
 * `overflow` and the client resumes with Last-Event-ID, instead of the gateway growing for it.
 */
import { matchesStreamFilter, type AdmittedRow } from '../../ledger/admitted.js';
import type { StreamFilter } from '../../ledger/query-schema.js';
import type { AdmittedFeed, AdmittedHub } from './hub.js';

export interface SubscriptionSink {
  /** takes one row; false when the sink holds more than it may (the subscription then ends) */
  deliver(row: AdmittedRow): boolean;
  /** resolves once the sink has passed on what it holds (the replay waits for it between pages) */
  drained(): Promise<void>;
}

export type EndReason = 'overflow' | 'error' | 'stopped';

export interface SubscriptionOptions {
  pageSize: number;
  /** bytes of live rows held while the backlog replays */
  maxHeldBytes: number;
}

export class Subscription {
  /** the last position delivered (or the resume position); nothing is delivered before start() sets it */
  private cursor: number | undefined;

  /** live rows held while the backlog replays; undefined once live */
  private held: AdmittedRow[] | undefined = [];

  private heldBytes = 0;

  private endedWith: EndReason | undefined;

  private resolveEnded!: (reason: EndReason) => void;

  /** resolves with why the subscription ended (it never ends on its own otherwise) */
  readonly ended = new Promise<EndReason>((resolve) => (this.resolveEnded = resolve));

  constructor(
    private readonly hub: AdmittedHub,
    private readonly feed: () => Promise<AdmittedFeed>,
    /** resume after this position; undefined: from the moment the subscription joins (live only) */
    private readonly from: number | undefined,
    private readonly filter: StreamFilter,
    private readonly sink: SubscriptionSink,
    private readonly opts: SubscriptionOptions,
  ) {}

  /** the last position delivered, or the one the stream started after (what to resume from); undefined before it joined */
  get position(): number | undefined {
    return this.cursor ?? this.from;
  }

  /** Joins the hub, replays the backlog, goes live; resolves once live (or ended). */
  async start(): Promise<void> {
    try {
      const h0 = await this.hub.subscribe(this.onLive);
      if (this.endedWith) return this.hub.unsubscribe(this.onLive);
      let after = this.from ?? h0;
      this.cursor = after;
      const feed = await this.feed();
      while (after < h0 && !this.endedWith) {
        const rows = await feed.admitted({ ...this.filter, after, through: h0, limit: this.opts.pageSize });
        // the replay is paced by drained() below, so a page may go over the sink's bound without ending the stream
        for (const row of rows) this.deliver(row, false);
        // a short page is the last one up to h0 (filtered rows leave no trace, so the page says so, not its rows)
        after = rows.length < this.opts.pageSize ? h0 : rows.at(-1)!.position;
        await this.sink.drained();
      }
      // the hand-over: from here to the end of this run nothing else runs, so no live row can slip between
      const held = this.held ?? [];
      this.held = undefined;
      for (const row of held) this.deliver(row, true);
    } catch {
      this.end('error');
    }
  }

  stop(): void {
    this.end('stopped');
  }

  private readonly onLive = (row: AdmittedRow): void => {
    if (this.endedWith || !matchesStreamFilter(row, this.filter)) return;
    if (!this.held) return this.deliver(row, true);
    this.held.push(row);
    this.heldBytes += row.body.length;
    if (this.heldBytes > this.opts.maxHeldBytes) this.end('overflow');
  };

  /** `live`: the row cannot wait, so a sink over its bound ends the subscription */
  private deliver(row: AdmittedRow, live: boolean): void {
    // never backwards, never twice: a position at or below the last one delivered is one the client has
    if (this.endedWith || this.cursor === undefined || row.position <= this.cursor) return;
    this.cursor = row.position;
    if (!this.sink.deliver(row) && live) this.end('overflow');
  }

  private end(reason: EndReason): void {
    if (this.endedWith) return;
    this.endedWith = reason;
    this.held = undefined;
    this.hub.unsubscribe(this.onLive);
    this.resolveEnded(reason);
  }
}
