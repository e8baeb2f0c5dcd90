/**
 * The federation outbox's tables, beside the ledger's (same database: a slice is packaged in one transaction
 * with what it advances). Per partner:
 *
 * - `federation_partners`: the next slice_seq to give out, the checkpoint (size, root) the last slice carried
 *   (the next one proves consistency from it), how far the log was looked through, and the digest of the
 *   policy's selection that look used (a changed policy looks through everything again);
 * - `federation_progress`: per composition, the last sequence packaged for the partner;
 * - `federation_outbox`: each slice — its place (partner, slice_seq), what it holds, its digest and signed
 *   message bytes, and its fate: pending (packaged, not yet confirmed by the broker), sent, then what the
 *   partner's signed receipt said (accepted, duplicate, refused), with the receipt kept as received;
 * - `federation_decisions`: every PDP decision on a slice, ALLOW and DENY, with its evaluation id
 *   (append-only: a record of what was let out and what was not).
 */
import type { Dialect } from '../schema-sql.js';

export const OUTBOX_STATUSES = ['pending', 'sent', 'accepted', 'duplicate', 'refused'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export function federationDdl(d: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS federation_partners (
      partner TEXT PRIMARY KEY,
      next_seq BIGINT NOT NULL,
      sent_size BIGINT NOT NULL,
      sent_root TEXT,
      scanned_size BIGINT NOT NULL,
      selection_digest TEXT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS federation_progress (
      partner TEXT NOT NULL,
      composition_id TEXT NOT NULL,
      last_sequence INTEGER NOT NULL,
      PRIMARY KEY (partner, composition_id)
    )`,
    `CREATE TABLE IF NOT EXISTS federation_outbox (
      partner TEXT NOT NULL,
      slice_seq BIGINT NOT NULL,
      composition_id TEXT NOT NULL,
      from_sequence INTEGER NOT NULL,
      to_sequence INTEGER NOT NULL,
      checkpoint_size BIGINT NOT NULL,
      digest TEXT NOT NULL,
      message TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN (${OUTBOX_STATUSES.map((s) => `'${s}'`).join(', ')})),
      decision_id BIGINT NOT NULL,
      reason_code TEXT,
      receipt TEXT,
      created_ms BIGINT NOT NULL,
      sent_ms BIGINT,
      publish_count INTEGER NOT NULL DEFAULT 0,
      receipt_ms BIGINT,
      PRIMARY KEY (partner, slice_seq)
    )`,
    'CREATE INDEX IF NOT EXISTS federation_outbox_status ON federation_outbox (partner, status, slice_seq)',
    `CREATE TABLE IF NOT EXISTS federation_decisions (
      id ${d.serial},
      partner TEXT NOT NULL,
      composition_id TEXT NOT NULL,
      composition_type TEXT,
      from_sequence INTEGER NOT NULL,
      to_sequence INTEGER NOT NULL,
      partner_took_part INTEGER NOT NULL,
      schema_ids TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('ALLOW', 'DENY')),
      uds_eval_id TEXT NOT NULL,
      evaluated_at TEXT NOT NULL,
      decided_ms BIGINT NOT NULL,
      slice_seq BIGINT
    )`,
    'CREATE INDEX IF NOT EXISTS federation_decisions_partner ON federation_decisions (partner, outcome)',
    ...d.appendOnly('federation_decisions'),
  ];
}
