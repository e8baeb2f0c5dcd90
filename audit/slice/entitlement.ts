/**
 * Which compositions an organisation may hold: those in which one of its issuers took part — an event whose
 * caller's token it issued, or a PSI round in which one of its nodes presented a participant token (§7b).
 * One rule for both ends: the sender's federation policy selects by it, the receiver refuses what fails it.
 */
import type { AuditEvent } from '../../schemas/catalog.js';

function issuersOf(event: AuditEvent): string[] {
  const payload = event.payload as Record<string, unknown>;
  const participants = [payload.node_a_issuer, payload.node_b_issuer].filter((v): v is string => typeof v === 'string');
  return event.auth?.issuer ? [event.auth.issuer, ...participants] : participants;
}

/** Whether one of `issuers` took part in any of `events`. */
export function tookPart(events: Iterable<AuditEvent>, issuers: readonly string[]): boolean {
  const ours = new Set(issuers);
  for (const event of events) if (issuersOf(event).some((i) => ours.has(i))) return true;
  return false;
}
