/** Row shapes as the databases return them, mapped to the ledger's records. */
import type { QuarantineEntry } from './query.js';
import type { QuarantineReason } from './records.js';

export interface QuarantineDbRow {
  id: number | string;
  reason: string;
  detail: string;
  composition_id: string | null;
  event_id: string | null;
  schema_id: string | null;
  this_hash: string | null;
  body: string;
  src_topic: string;
  src_partition: number;
  src_offset: string;
  /** absent on a database opened read-only before the column was added */
  ingested_ms?: number | string | null;
}

export function quarantineEntry(r: QuarantineDbRow): QuarantineEntry {
  return {
    id: Number(r.id),
    reason: r.reason as QuarantineReason,
    detail: r.detail,
    composition_id: r.composition_id,
    event_id: r.event_id,
    schema_id: r.schema_id,
    this_hash: r.this_hash,
    body: r.body,
    source: { topic: r.src_topic, partition: r.src_partition, offset: r.src_offset },
    ingested_ms: r.ingested_ms === null || r.ingested_ms === undefined ? null : Number(r.ingested_ms),
  };
}
