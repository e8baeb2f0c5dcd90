/**
 * The ledger's admission check for one decoded event, given what the ledger already holds for its
 * composition: accept (the next link of the chain), an identical duplicate (a no-op: publishing is
 * at-least-once), or quarantine with a reason. Pure: the caller supplies the head and earlier hashes.
 */
import { validateEvent, type AuditEvent } from '../schemas/catalog.js';
import { computeThisHash } from '../audit/chain.js';
import { eventIdFor, sequenceOf } from '../audit/event-id.js';
import type { LedgerHead, QuarantineReason } from './records.js';

export type Admission =
  | { kind: 'accept'; event: AuditEvent; sequence: number }
  | { kind: 'duplicate'; event: AuditEvent; sequence: number }
  | { kind: 'quarantine'; reason: QuarantineReason; detail: string; event: Partial<AuditEvent> | null };

export interface ChainLookup {
  /** the composition's head, or undefined when the ledger has none of its events */
  head: LedgerHead | undefined;
  /** this_hash of the composition's event at `sequence` (≤ head), as stored */
  hashAt(sequence: number): string | undefined;
}

/** Fields that carry who acted and on what authority: an event invalid there lacks provenance. */
const PROVENANCE_FIELDS = new Set(['actor', 'agent', 'auth', 'abac_decision']);

const quarantine = (reason: QuarantineReason, detail: string, value: unknown): Admission => ({
  kind: 'quarantine',
  reason,
  detail,
  event: value && typeof value === 'object' && !Array.isArray(value) ? (value as Partial<AuditEvent>) : null,
});

export function admit(value: unknown, chain: ChainLookup): Admission {
  const validation = validateEvent(value);
  if (!validation.ok) {
    const field = validation.path.split(/[.[]/)[0]!;
    const reason = validation.kind === 'unknown_schema' ? 'unknown_schema' : PROVENANCE_FIELDS.has(field) ? 'missing_provenance' : 'invalid_event';
    return quarantine(reason, `${validation.path}: ${validation.message}`, value);
  }
  const event = validation.event;
  const recomputed = computeThisHash(event);
  if (recomputed !== event.this_hash) return quarantine('hash_mismatch', `this_hash is ${event.this_hash} but the event hashes to ${recomputed}`, event);
  const sequence = sequenceOf(event.event_id, event.composition_id);
  if (sequence === undefined) return quarantine('invalid_event', `event_id ${event.event_id} is not an event id of ${event.composition_id}`, event);

  const head = chain.head;
  const headSeq = head?.sequence ?? 0;
  if (sequence <= headSeq) {
    const stored = chain.hashAt(sequence);
    if (stored === event.this_hash) return { kind: 'duplicate', event, sequence };
    return quarantine('conflicting_duplicate', `${event.event_id} is held with this_hash ${stored}, this one has ${event.this_hash}`, event);
  }
  if (sequence !== headSeq + 1) {
    return quarantine('sequence_gap', `sequence ${sequence} follows ${headSeq}: ${eventIdFor(event.composition_id, headSeq + 1)} is missing`, event);
  }
  const lastHash = head?.this_hash ?? null;
  if (event.prev_hash !== lastHash) return quarantine('broken_link', `prev_hash is ${event.prev_hash} but the head's this_hash is ${lastHash}`, event);
  const lastId = head?.event_id ?? null;
  if (event.causal_predecessor !== lastId) return quarantine('causal_mismatch', `causal_predecessor is ${event.causal_predecessor} but the head is ${lastId}`, event);
  return { kind: 'accept', event, sequence };
}
