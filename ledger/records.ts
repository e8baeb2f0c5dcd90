/**
 * What the ledger stores: canonical rows (one per accepted event, never updated or deleted) and quarantine
 * rows (anything that failed a check, with the reason), plus where in the topic ingest has reached.
 */
import { SIGNATURE_FAILURES } from '../audit/emitter-signature.js';

/** Why an event went to quarantine instead of the canonical table. */
export const QUARANTINE_REASONS = [
  'hash_mismatch',
  'broken_link',
  'causal_mismatch',
  'sequence_gap',
  'conflicting_duplicate',
  'unknown_schema',
  'invalid_event',
  'missing_provenance',
  // no pinned emitter key vouches for it
  ...SIGNATURE_FAILURES,
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/** Where a message came from: quarantine rows keep it so an operator can find the original. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface CanonicalRow {
  composition_id: string;
  sequence: number;
  event_id: string;
  schema_id: string;
  ts_utc: string;
  /** ts_utc as epoch milliseconds: time windows compare numbers, not strings of varying precision */
  ts_ms: number;
  actor_type: string;
  actor_id: string;
  issuer: string | null;
  abac_outcome: string | null;
  prev_hash: string | null;
  this_hash: string;
  /** the event as RFC 8785 canonical JSON */
  body: string;
  /** the emitter's signature over this_hash, as received beside the event (never part of it) */
  emitter_kid: string;
  emitter_sig: string;
  source: SourcePosition;
}

export interface QuarantineRow {
  reason: QuarantineReason;
  detail: string;
  composition_id: string | null;
  event_id: string | null;
  schema_id: string | null;
  this_hash: string | null;
  /** the message value as received (JSON text when it decoded, else base64 of the bytes) */
  body: string;
  source: SourcePosition;
}

/** A composition's last accepted event: the ledger's head. */
export interface LedgerHead {
  composition_id: string;
  sequence: number;
  event_id: string;
  this_hash: string;
  ts_utc: string;
}

/** The next offset to read, per partition. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  next_offset: string;
}
