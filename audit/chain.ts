/**
 * The hash chain (ARCHITECTURE §5): each event of a composition links to the previous one by
 * `prev_hash` (its `this_hash`) and `causal_predecessor` (its `event_id`), and
 * `this_hash = sha256(RFC 8785 canonical JSON of the event without this_hash)`. Pure: the workflow builds
 * events with it, the verifier and the edge worker recompute with it.
 */
import type { AuditEvent } from '../schemas/catalog.js';
import { hashOf } from './canonical.js';
import { eventIdFor } from './event-id.js';

/** Where a composition's chain stands: what the next event links to. */
export interface ChainHead {
  sequence: number;
  eventId: string | null;
  thisHash: string | null;
}

export const EMPTY_CHAIN: ChainHead = { sequence: 0, eventId: null, thisHash: null };

/** The event's fields before chaining: everything but event_id, causal_predecessor and the hashes. */
export type EventDraft = Omit<AuditEvent, 'event_id' | 'causal_predecessor' | 'prev_hash' | 'this_hash'>;

/** The hash an event must carry in `this_hash`. */
export function computeThisHash(event: Record<string, unknown>): string {
  const { this_hash: _ignored, ...rest } = event;
  return hashOf(rest);
}

/** Chains a draft onto the head: the complete event and the new head. */
export function appendToChain(head: ChainHead, draft: EventDraft): { event: AuditEvent; head: ChainHead } {
  const sequence = head.sequence + 1;
  const eventId = eventIdFor(draft.composition_id, sequence);
  // Field order follows the seed's examples; the hash does not depend on it (canonical JSON sorts keys).
  const unhashed = {
    event_id: eventId,
    schema_id: draft.schema_id,
    composition_id: draft.composition_id,
    ts_utc: draft.ts_utc,
    causal_predecessor: head.eventId,
    actor: draft.actor,
    ...(draft.agent ? { agent: draft.agent } : {}),
    auth: draft.auth,
    payload: draft.payload,
    abac_decision: draft.abac_decision,
    prev_hash: head.thisHash,
  };
  const thisHash = hashOf(unhashed);
  const event = { ...unhashed, this_hash: thisHash } as AuditEvent;
  return { event, head: { sequence, eventId, thisHash } };
}

/** The head after a run of events of one composition (e.g. to continue a chain across continue-as-new). */
export function headOf(events: readonly Pick<AuditEvent, 'event_id' | 'this_hash'>[]): ChainHead {
  const last = events.at(-1);
  return last ? { sequence: events.length, eventId: last.event_id, thisHash: last.this_hash } : EMPTY_CHAIN;
}
