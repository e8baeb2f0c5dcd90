/**
 * The chain-link rule, pure: where the next event of a composition stands against the hashes accepted so far.
 * One home for the Node verifier (audit/verify.ts) and the page's verifier (gateway/ui/src/verify/chain.ts):
 * an id already accepted with the same hash is an identical duplicate (a no-op), with another hash a
 * conflicting duplicate; a jump ahead is a sequence gap (`expected` names the sequence that is missing); then
 * prev_hash must be the last accepted this_hash and causal_predecessor the last accepted event id.
 */
import type { AuditEvent } from '../schemas/catalog.js';
import { eventIdFor } from './event-id.js';

export type LinkBreakKind = 'conflicting_duplicate' | 'sequence_gap' | 'broken_link' | 'causal_mismatch';

/** One composition's chain as accepted so far: this_hash by sequence − 1, and the last event id. */
export interface AcceptedChain {
  hashes: string[];
  lastEventId: string | null;
}

export type LinkVerdict = { next: true } | { duplicate: true } | { kind: LinkBreakKind; detail: string; expected: number };

// shared answers: the verifiers call this once per event, the common outcomes allocate nothing
const NEXT: LinkVerdict = Object.freeze({ next: true });
const DUPLICATE: LinkVerdict = Object.freeze({ duplicate: true });

/** Judges `event` (whose id encodes sequence `seq`) against `chain`; accepts it into `chain` when it is the next link. */
export function linkToChain(chain: AcceptedChain, event: Pick<AuditEvent, 'event_id' | 'composition_id' | 'this_hash' | 'prev_hash' | 'causal_predecessor'>, seq: number): LinkVerdict {
  const expected = chain.hashes.length + 1;
  if (seq < expected) {
    const seen = chain.hashes[seq - 1]!;
    if (seen === event.this_hash) return DUPLICATE;
    return { kind: 'conflicting_duplicate', detail: `${event.event_id} was seen before with this_hash ${seen}, now ${event.this_hash}`, expected };
  }
  if (seq !== expected) return { kind: 'sequence_gap', detail: `sequence ${seq} follows ${expected - 1}: ${eventIdFor(event.composition_id, expected)} is missing`, expected };
  const lastHash = chain.hashes.at(-1) ?? null;
  if (event.prev_hash !== lastHash) return { kind: 'broken_link', detail: `prev_hash is ${event.prev_hash} but the previous event's this_hash is ${lastHash}`, expected };
  if (event.causal_predecessor !== chain.lastEventId) return { kind: 'causal_mismatch', detail: `causal_predecessor is ${event.causal_predecessor} but the previous event is ${chain.lastEventId}`, expected };
  chain.hashes.push(event.this_hash);
  chain.lastEventId = event.event_id;
  return NEXT;
}
