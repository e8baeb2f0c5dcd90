/**
 * Adopting what a lost workflow task published (pure; the read-back itself is activities/lost-attempt.ts).
 * The fast path publishes inside a workflow task; if the worker dies after the broker's ack and before the
 * task completes, the next attempt finds the event already in the topic and must continue the chain from
 * it — never publish a second, different event under the same id. The found event is taken only if it is
 * the very link this attempt was about to add: same id, same composition, same predecessor, a hash that
 * matches its content, and a valid event; otherwise this attempt's own event is published as usual.
 */
import type { AuditAck } from '../activities/index.js';
import { computeThisHash } from '../audit/chain.js';
import { validateEvent, type AuditEvent } from '../schemas/catalog.js';

/** The event a lost attempt published in this event's place, when the ack carries one that qualifies. */
export function adoptable(ack: AuditAck | undefined, built: AuditEvent): AuditEvent | undefined {
  const found = ack?.adopted;
  if (!found || found.this_hash === built.this_hash) return undefined;
  const sameLink = found.event_id === built.event_id && found.composition_id === built.composition_id && found.prev_hash === built.prev_hash;
  return sameLink && computeThisHash(found as unknown as Record<string, unknown>) === found.this_hash && validateEvent(found).ok ? found : undefined;
}

/** An adopted event that records another outcome than the attempt reached (a refusal for an acceptance, …). */
export class Adopted extends Error {
  constructor(readonly event: AuditEvent) {
    super(`adopted ${event.event_id} (${event.schema_id}) published by a lost workflow task`);
  }
}
