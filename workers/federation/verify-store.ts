/**
 * `coord federation verify`: the receiving node's whole store re-verified offline, from its own file and its
 * trust file alone — no server of the sender, no network. Every stored slice message is verified again, in
 * sequence order, against a fresh in-memory receiver (workers/federation/memory-held.ts); what that replay
 * holds at the end must be exactly what the store holds. Each difference is named:
 *
 *  - `slice_gap`         — a place in the sequence with no slice
 *  - `verdict_differs`   — a stored slice whose message now verifies to another outcome or reason
 *  - `digest_differs`    — a slice row whose digest is not its message's
 *  - `event_missing` / `event_unexplained` / `event_differs` — an event row the replay lacks, one no slice
 *                          brought, or one whose line, hash, emitter signature or slice differs
 *  - `head_differs`      — a composition whose head is not the replay's
 *  - `checkpoint_missing` / `checkpoint_unexplained` / `checkpoint_differs`
 *  - `pending_not_genuine` — a waiting slice that is not a slice the sender signed
 *  - `receipt_invalid`   — a stored receipt that does not open with the node's receipt key, or says other
 *                          than its row
 */
import type { JWK } from 'jose';
import { openReceipt } from '../../audit/slice/sign.js';
import { verifySlice, type SliceTrust, type SliceVerdict } from '../../audit/slice/verify.js';
import { MemoryHeld } from './memory-held.js';
import type { EventRow, FederationStore } from './store.js';

export type DifferenceKind =
  | 'slice_gap'
  | 'verdict_differs'
  | 'digest_differs'
  | 'event_missing'
  | 'event_unexplained'
  | 'event_differs'
  | 'head_differs'
  | 'checkpoint_missing'
  | 'checkpoint_unexplained'
  | 'checkpoint_differs'
  | 'pending_not_genuine'
  | 'receipt_invalid';

export interface Difference {
  kind: DifferenceKind;
  slice_seq?: number;
  composition_id?: string;
  event_id?: string;
  detail: string;
}

export interface StoreVerification {
  ok: boolean;
  slices: { accepted: number; refused: number };
  events: number;
  compositions: { composition_id: string; sequence: number; this_hash: string }[];
  checkpoint_size: number | null;
  pending: number;
  receipts: { checked: number; key: boolean };
  differences: Difference[];
}

const outcome = (v: SliceVerdict) => (v.status === 'refused' ? `refused ${v.reason}${v.usesSeq ? '' : ' (uses no place)'}: ${v.detail}` : v.status);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const EVENT_FIELDS = ['composition_id', 'sequence', 'this_hash', 'line', 'emitter_kid', 'emitter_sig', 'slice_seq'] as const;

/** Re-verifies `store` against `trust`; `receiptKey` (the node's public receipt key), when given, checks every receipt. */
export async function verifyStore(store: FederationStore, trust: SliceTrust, opts: { receiptKey?: JWK } = {}): Promise<StoreVerification> {
  const held = new MemoryHeld();
  const differences: Difference[] = [];
  const expectedEvents = new Map<string, EventRow>();
  const expectedCheckpoints = new Map<number, { root: string; note: string; slice_seq: number }>();
  const counts = { accepted: 0, refused: 0 };

  for (const row of store.slices()) {
    const at = { slice_seq: row.seq };
    counts[row.status] += 1;
    if (row.seq !== held.nextSeq()) differences.push({ kind: 'slice_gap', ...at, detail: `slice ${row.seq} follows place ${held.nextSeq() - 1}: place ${held.nextSeq()} holds nothing` });
    const verdict = await verifySlice(row.message, trust, held);
    const digest = verdict.digest;
    if (digest !== row.digest) differences.push({ kind: 'digest_differs', ...at, detail: `the row says ${row.digest}, its message is ${digest ?? 'no slice'}` });
    const matches =
      row.status === 'accepted' ? verdict.status === 'accepted' : verdict.status === 'refused' && verdict.usesSeq && verdict.reason === row.reason;
    if (!matches) {
      differences.push({ kind: 'verdict_differs', ...at, composition_id: row.composition_id, detail: `stored ${row.status}${row.reason ? ` ${row.reason}` : ''}; its message now verifies: ${outcome(verdict)}` });
    }
    // the replay goes on from what the messages prove, not from what the rows say
    held.record(verdict);
    if (verdict.status === 'accepted') {
      const s = verdict.slice;
      verdict.events.forEach((event, i) => {
        expectedEvents.set(event.event_id, {
          composition_id: s.composition_id,
          sequence: s.from_sequence + i,
          event_id: event.event_id,
          this_hash: event.this_hash,
          line: s.events[i]!,
          emitter_kid: s.signatures[i]!.kid,
          emitter_sig: s.signatures[i]!.sig,
          slice_seq: s.slice_seq,
        });
      });
    }
    const checkpoint = verdict.status === 'accepted' ? verdict.checkpoint : verdict.status === 'refused' ? verdict.checkpoint : undefined;
    if (checkpoint && !expectedCheckpoints.has(checkpoint.size) && verdict.slice) {
      expectedCheckpoints.set(checkpoint.size, { root: hex(checkpoint.root), note: checkpoint.note, slice_seq: verdict.slice.slice_seq });
    }
  }

  // the events: exactly those the slices brought, as they brought them
  const stored = store.allEvents();
  const seen = new Set<string>();
  for (const row of stored) {
    const at = { composition_id: row.composition_id, event_id: row.event_id };
    seen.add(row.event_id);
    const want = expectedEvents.get(row.event_id);
    if (!want) {
      differences.push({ kind: 'event_unexplained', ...at, detail: `no verified slice brought ${row.event_id}` });
      continue;
    }
    const fields = EVENT_FIELDS.filter((f) => want[f] !== row[f]);
    if (fields.length) differences.push({ kind: 'event_differs', ...at, detail: `${row.event_id}: ${fields.join(', ')} differ from what slice ${want.slice_seq} brought` });
  }
  for (const [eventId, want] of expectedEvents) {
    if (!seen.has(eventId)) differences.push({ kind: 'event_missing', composition_id: want.composition_id, event_id: eventId, detail: `slice ${want.slice_seq} brought ${eventId}; the store lacks it` });
  }

  // the heads
  const compositions = [...held.compositions()].map(([composition_id, events]) => ({ composition_id, sequence: events.length, this_hash: events.at(-1)!.this_hash }));
  const storedHeads = new Map(store.heads().map((h) => [h.composition_id, h]));
  for (const head of compositions) {
    const s = storedHeads.get(head.composition_id);
    if (!s || s.sequence !== head.sequence || s.this_hash !== head.this_hash) {
      differences.push({ kind: 'head_differs', composition_id: head.composition_id, detail: `the store's head is ${s ? `${s.sequence} ${s.this_hash}` : 'nothing'}; the slices prove ${head.sequence} ${head.this_hash}` });
    }
    storedHeads.delete(head.composition_id);
  }
  for (const s of storedHeads.values()) differences.push({ kind: 'head_differs', composition_id: s.composition_id, detail: `the store holds ${s.composition_id} up to ${s.sequence}; no verified slice brought any of it` });

  // the checkpoints
  const storedCheckpoints = new Map(store.checkpoints().map((c) => [c.size, c]));
  for (const [size, want] of expectedCheckpoints) {
    const c = storedCheckpoints.get(size);
    if (!c) differences.push({ kind: 'checkpoint_missing', slice_seq: want.slice_seq, detail: `slice ${want.slice_seq} proved the checkpoint of size ${size}; the store lacks it` });
    else if (c.root !== want.root || c.note !== want.note) differences.push({ kind: 'checkpoint_differs', slice_seq: c.slice_seq, detail: `the checkpoint of size ${size} is not the one slice ${want.slice_seq} carried` });
    storedCheckpoints.delete(size);
  }
  for (const c of storedCheckpoints.values()) differences.push({ kind: 'checkpoint_unexplained', slice_seq: c.slice_seq, detail: `no verified slice carried the checkpoint of size ${c.size}` });

  // the waiting room: only slices the sender signed may wait there
  const pending = store.pending();
  for (const row of pending) {
    const verdict = await verifySlice(row.message, trust, held);
    const genuine = verdict.status !== 'refused' || verdict.usesSeq || verdict.reason === 'contradicts_held';
    if (!genuine || (verdict.status !== 'refused' && verdict.digest !== row.digest)) {
      differences.push({ kind: 'pending_not_genuine', slice_seq: row.seq, detail: `the slice waiting at ${row.seq} (${row.digest}) verifies: ${outcome(verdict)}` });
    }
  }

  // the receipts, when the node's public receipt key is at hand
  let checked = 0;
  if (opts.receiptKey) {
    for (const row of store.receipts()) {
      checked += 1;
      const opened = await openReceipt(row.message, opts.receiptKey);
      if (!opened.ok) {
        differences.push({ kind: 'receipt_invalid', ...(row.slice_seq ? { slice_seq: row.slice_seq } : {}), detail: `receipt ${row.id}: ${opened.reason}` });
        continue;
      }
      const r = opened.receipt;
      if (r.status !== row.status || r.slice_seq !== row.slice_seq || r.slice_digest !== row.slice_digest || r.reason_code !== row.reason || r.sender !== trust.sender || r.partner !== trust.partner) {
        differences.push({ kind: 'receipt_invalid', ...(row.slice_seq ? { slice_seq: row.slice_seq } : {}), detail: `receipt ${row.id} says ${r.status} for slice ${r.slice_seq}; its row says ${row.status} for slice ${row.slice_seq}` });
      }
    }
  }

  return {
    ok: differences.length === 0,
    slices: counts,
    events: stored.length,
    compositions,
    checkpoint_size: held.latestCheckpoint()?.size ?? null,
    pending: pending.length,
    receipts: { checked, key: opts.receiptKey !== undefined },
    differences,
  };
}
