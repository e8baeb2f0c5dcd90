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

/**
 * The event as published, when the workflow clock of this run differs from the one it was built with. The
 * clock is the only input of an event not recorded in the history (the token check and the PDP decision are,
 * in their markers), and it can differ: a Temporal server that lost an update's speculative workflow task
 * may see the same worker complete the in-flight work under the next task, whose start time — the replay's
 * clock — is later than the one the event was built with. The ack names the published event's hash and time;
 * the event rebuilt at that time is taken if it hashes to what was published. Anything else — an edited
 * input, another workflow code — still rebuilds another event, and replay says so.
 */
export function atPublishedTime(ack: AuditAck | undefined, built: AuditEvent, rebuildAt: (ts: string) => AuditEvent): AuditEvent | undefined {
  if (!ack?.ts_utc || ack.this_hash === built.this_hash || ack.ts_utc === built.ts_utc) return undefined;
  const rebuilt = rebuildAt(ack.ts_utc);
  return rebuilt.this_hash === ack.this_hash ? rebuilt : undefined;
}

/** An adopted event that records another outcome than the attempt reached (a refusal for an acceptance, …). */
export class Adopted extends Error {
  constructor(readonly event: AuditEvent) {
    super(`adopted ${event.event_id} (${event.schema_id}) published by a lost workflow task`);
  }
}
