/** A composition's events as the audit topic holds them (decoded through the registry). */
import { readAuditEvents } from '../../kafka/reader.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { auditTopic, schemaRegistryEndpoint } from '../../config/endpoints.js';
import type { AuditEvent } from '../../schemas/catalog.js';

export function topicEvents(compositionId: string): Promise<AuditEvent[]> {
  const topic = auditTopic();
  return readAuditEvents({ topic, serializer: new AuditSerializer(schemaRegistryEndpoint().address, topic), compositionId });
}

/** Identical duplicates (at-least-once publishing) removed, order kept. */
export function distinct(events: AuditEvent[]): AuditEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.event_id) && (seen.add(e.event_id), true));
}
