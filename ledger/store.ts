/**
 * The ledger's storage, behind one interface so SQLite (the default: one file, no server) and PostgreSQL
 * (for users who outgrow one node) are interchangeable. Which one is opened: ledger/open-store.ts.
 */
import { decodeEventCursor, type EventFilter, type EventQuery, type EventPage, type QuarantineQuery, type QuarantinePage } from './query.js';
import type { EmitterSignature } from '../audit/emitter-signature.js';
import type { LogStore } from './log/rows.js';
import type { FederationStore } from './federation/store.js';
import type { CanonicalRow, LedgerHead, PartitionPosition, QuarantineRow } from './records.js';
import type { AdmittedQuery, AdmittedRow } from './admitted.js';

export interface IngestBatch {
  accepted: CanonicalRow[];
  quarantined: QuarantineRow[];
  /** where to resume after this batch, written in the same transaction as its rows */
  positions: PartitionPosition[];
  /** when the batch was admitted (epoch ms), stored on each of its rows; the store's clock when absent */
  ingested_ms?: number;
}

export interface LedgerCounts {
  events: number;
  compositions: number;
  quarantined: number;
}

export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** the transparency log over every admitted event (ledger/log/) */
  readonly log: LogStore;
  /** the federation outbox: partners' slices, their receipts, the PDP's decisions (ledger/federation/) */
  readonly federation: FederationStore;
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
  /** the emitter signature each of the composition's events was admitted with, by event_id (none for events admitted before signatures) */
  emitterSignatures(compositionId: string): Promise<Map<string, EmitterSignature>>;
  /** ids of the compositions with at least one event matching `filter`, in id order */
  compositionIds(filter: EventFilter): Promise<string[]>;
  quarantine(query: QuarantineQuery): Promise<QuarantinePage>;
  /** admitted events in admission order (ledger/admitted.ts); the newest position is `log.size()` */
  admitted(query: AdmittedQuery): Promise<AdmittedRow[]>;
  counts(): Promise<LedgerCounts>;
  close(): Promise<void>;
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

/** Rows of (event_id, emitter_kid, emitter_sig) as a map; rows without a signature are left out. */
export function signatureMap(rows: readonly { event_id: string; emitter_kid: string | null; emitter_sig: string | null }[]): Map<string, EmitterSignature> {
  const map = new Map<string, EmitterSignature>();
  for (const r of rows) if (r.emitter_kid && r.emitter_sig) map.set(r.event_id, { kid: r.emitter_kid, sig: r.emitter_sig });
  return map;
}

export const SIGNATURES_SQL = 'SELECT event_id, emitter_kid, emitter_sig FROM ledger_events WHERE composition_id = ? ORDER BY sequence';
