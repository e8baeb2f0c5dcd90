/** The audit topic and its subject naming (topic-record: one subject per `schema_id`). */

export const DEFAULT_AUDIT_TOPIC = 'coordination.audit';

export function auditTopic(): string {
  return process.env.COORD_AUDIT_TOPIC?.trim() || DEFAULT_AUDIT_TOPIC;
}

/** Confluent's TopicRecordNameStrategy: `<topic>-<record name>`; the record name is the schema_id. */
export function subjectFor(schemaId: string, topic: string = auditTopic()): string {
  return `${topic}-${schemaId}`;
}
