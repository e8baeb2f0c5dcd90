/** Subject naming in the registry (topic-record: one subject per `schema_id`). The topic itself is configuration (`auditTopic()` in config/endpoints.ts). */

/** Confluent's TopicRecordNameStrategy: `<topic>-<record name>`; the record name is the schema_id. */
export function subjectFor(schemaId: string, topic: string): string {
  return `${topic}-${schemaId}`;
}
