/**
 * `coord federation status --org <partner>`: what the receiving node holds and answered, from its store
 * alone — slices accepted, refused in sequence (by reason), waiting, quarantined (by reason), duplicates
 * answered, compositions with their heads, the largest checkpoint, and the last receipt.
 */
import type { FederationStore } from './store.js';

export interface ReceiverStatus {
  org: string;
  store: string;
  next_seq: number;
  accepted: number;
  refused: { total: number; by_reason: Record<string, number> };
  pending: number;
  quarantined: { total: number; by_reason: Record<string, number> };
  duplicates: number;
  events: number;
  compositions: { composition_id: string; sequence: number; this_hash: string }[];
  checkpoint_size: number | null;
  receipts: { total: number; unpublished: number };
  last_receipt: { slice_seq: number | null; status: string; reason: string | null; created_at: string; published_at: string | null } | null;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export function receiverStatus(org: string, store: FederationStore): ReceiverStatus {
  const c = store.counts();
  const last = store.receipts({ last: 1 })[0];
  return {
    org,
    store: store.file,
    next_seq: store.nextSeq(),
    accepted: c.accepted,
    refused: { total: total(c.refused), by_reason: c.refused },
    pending: c.pending,
    quarantined: { total: total(c.quarantined), by_reason: c.quarantined },
    duplicates: c.duplicates,
    events: c.events,
    compositions: store.heads(),
    checkpoint_size: store.latestCheckpoint()?.size ?? null,
    receipts: { total: c.receipts, unpublished: c.unpublished_receipts },
    last_receipt: last ? { slice_seq: last.slice_seq, status: last.status, reason: last.reason, created_at: last.created_at, published_at: last.published_at } : null,
  };
}

/** The status in lines, for people. */
export function describeStatus(s: ReceiverStatus): string[] {
  const reasons = (by: Record<string, number>) => (Object.keys(by).length ? ` (${Object.entries(by).map(([r, n]) => `${r} ${n}`).join(', ')})` : '');
  return [
    `federation receiving node ${s.org} — ${s.store}`,
    `slices: ${s.accepted} accepted, ${s.refused.total} refused${reasons(s.refused.by_reason)}, ${s.pending} pending, next place ${s.next_seq}`,
    `quarantined: ${s.quarantined.total}${reasons(s.quarantined.by_reason)}; duplicates answered: ${s.duplicates}`,
    `held: ${s.events} events in ${s.compositions.length} compositions; checkpoint size ${s.checkpoint_size ?? 'none'}`,
    ...s.compositions.map((h) => `  ${h.composition_id}  head ${h.sequence}  ${h.this_hash}`),
    `receipts: ${s.receipts.total} (${s.receipts.unpublished} not yet confirmed by the broker)`,
    s.last_receipt ? `last receipt: slice ${s.last_receipt.slice_seq ?? '-'} ${s.last_receipt.status}${s.last_receipt.reason ? ` ${s.last_receipt.reason}` : ''} at ${s.last_receipt.created_at}` : 'last receipt: none',
  ];
}
