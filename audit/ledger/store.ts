/**
 * The ledger's storage, behind one interface so SQLite (the default: one file, no server) and PostgreSQL
 * (for users who outgrow one node) are interchangeable. Chosen by `COORD_LEDGER_URL`:
 * `sqlite:<path>` (default `sqlite:.data/ledger/ledger.db`) or `postgres://…`.
 */
import { join } from 'node:path';
import { DATA_DIR } from '../../infra/stack/paths.js';
import { decodeEventCursor, type EventFilter, type EventQuery, type EventPage, type QuarantineQuery, type QuarantinePage } from './query.js';
import type { CanonicalRow, LedgerHead, PartitionPosition, QuarantineRow } from './records.js';

export interface IngestBatch {
  accepted: CanonicalRow[];
  quarantined: QuarantineRow[];
  /** where to resume after this batch, written in the same transaction as its rows */
  positions: PartitionPosition[];
}

export interface LedgerCounts {
  events: number;
  compositions: number;
  quarantined: number;
}

export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** where ingest of `topic` resumes, per partition */
  positions(topic: string): Promise<Map<number, bigint>>;
  /** the heads of these compositions (absent when the ledger holds none of their events) */
  heads(compositionIds: readonly string[]): Promise<Map<string, LedgerHead>>;
  /** this_hash of one stored event */
  hashAt(compositionId: string, sequence: number): Promise<string | undefined>;
  /** writes a batch atomically: all of its rows and positions, or nothing */
  commit(batch: IngestBatch): Promise<void>;
  /** heads of compositions whose last event is at or after `sinceMs` (all when omitted), by composition id */
  recentHeads(sinceMs?: number): Promise<LedgerHead[]>;
  events(query: EventQuery): Promise<EventPage>;
  /** ids of the compositions with at least one event matching `filter`, in id order */
  compositionIds(filter: EventFilter): Promise<string[]>;
  quarantine(query: QuarantineQuery): Promise<QuarantinePage>;
  counts(): Promise<LedgerCounts>;
  close(): Promise<void>;
}

/** Opens the store at `url` (the configured one when omitted) for the length of `fn`, and closes it. */
export async function withLedgerStore<T>(fn: (store: LedgerStore) => Promise<T>, url?: string): Promise<T> {
  const store = await openLedgerStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every event matching `filter` (after `from`, when given), page after page, in the store's order (composition, then sequence). */
export async function* allEvents(store: LedgerStore, filter: EventFilter, opts: { pageSize?: number; from?: EventQuery['after'] } = {}): AsyncGenerator<unknown> {
  const pageSize = opts.pageSize ?? 1000;
  let after = opts.from;
  for (;;) {
    const page = await store.events({ ...filter, limit: pageSize, ...(after ? { after } : {}) });
    yield* page.events;
    if (!page.next_cursor) return;
    after = decodeEventCursor(page.next_cursor);
  }
}

export const DEFAULT_LEDGER_URL = `sqlite:${join(DATA_DIR, 'ledger', 'ledger.db')}`;

export function ledgerUrl(): string {
  return process.env.COORD_LEDGER_URL?.trim() || DEFAULT_LEDGER_URL;
}

/** Opens (and creates or migrates) the store at `url`; each backend is loaded only when chosen. */
export async function openLedgerStore(url: string = ledgerUrl(), opts: { readonly?: boolean } = {}): Promise<LedgerStore> {
  if (url.startsWith('sqlite:')) {
    const { SqliteLedgerStore } = await import('./sqlite-store.js');
    return SqliteLedgerStore.open(url.slice('sqlite:'.length), opts);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresLedgerStore } = await import('./postgres-store.js');
    return PostgresLedgerStore.open(url);
  }
  throw new Error(`COORD_LEDGER_URL must start with sqlite: or postgres://, got "${url}"`);
}
