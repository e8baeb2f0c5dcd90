/**
 * The federation outbox's side of a ledger store (tables: ledger/federation/schema.ts), the same on SQLite
 * and PostgreSQL. Packaging a slice is one transaction: its decision, its outbox row, the composition's
 * progress and the partner's state — all of them or none, so a crash anywhere leaves either the slice
 * packaged and due for publishing, or nothing packaged and everything to do again.
 */
import type { OutboxStatus } from './schema.js';

export interface PartnerState {
  partner: string;
  /** the slice_seq the next slice gets */
  next_seq: number;
  /** the tree size of the checkpoint the last slice carried (0: none sent yet) */
  sent_size: number;
  /** its root, hex */
  sent_root: string | null;
  /** compositions with leaves below this size were looked at */
  scanned_size: number;
  selection_digest: string;
}

export interface DecisionRecord {
  partner: string;
  composition_id: string;
  composition_type: string | null;
  from_sequence: number;
  to_sequence: number;
  partner_took_part: boolean;
  schema_ids: readonly string[];
  outcome: 'ALLOW' | 'DENY';
  uds_eval_id: string;
  evaluated_at: string;
  decided_ms: number;
}

/** A slice ready for the outbox, with what its packaging advances. */
export interface PackagedSlice {
  partner: string;
  slice_seq: number;
  composition_id: string;
  /** the composition's progress before this slice (from_sequence - 1): the write fails if another packager moved it */
  previous_sequence: number;
  from_sequence: number;
  to_sequence: number;
  checkpoint_size: number;
  /** the checkpoint's root, hex: the next slice proves consistency from it */
  checkpoint_root: string;
  digest: string;
  /** the signed message (audit/slice/sign.ts), UTF-8 JSON */
  message: string;
  created_ms: number;
  decision: DecisionRecord;
}

export interface OutboxRow {
  partner: string;
  slice_seq: number;
  composition_id: string;
  from_sequence: number;
  to_sequence: number;
  checkpoint_size: number;
  digest: string;
  message: string;
  status: OutboxStatus;
  decision_id: number;
  reason_code: string | null;
  /** the partner's signed receipt message, as received */
  receipt: string | null;
  created_ms: number;
  sent_ms: number | null;
  publish_count: number;
  receipt_ms: number | null;
}

/** An event of a composition as packaging reads it: its stored line, its leaf and its emitter signature. */
export interface CoveredEvent {
  sequence: number;
  event_id: string;
  body: string;
  leaf_index: number;
  emitter_kid: string | null;
  emitter_sig: string | null;
}

/** What a receipt does to its row: the new status, and whether the receipt replaces the one kept (undefined: nothing changes). */
export type ReceiptTransition = (current: OutboxStatus) => { status: OutboxStatus; keepReceipt: boolean } | undefined;

export type ReceiptRecorded = 'recorded' | 'unchanged' | 'unknown_slice';

export interface PartnerSummary {
  partner: string;
  next_seq: number;
  sent_size: number;
  /** outbox rows by status */
  statuses: Partial<Record<OutboxStatus, number>>;
  /** refused rows by reason code */
  refused_reasons: Record<string, number>;
  /** PDP decisions by outcome */
  decisions: { ALLOW: number; DENY: number };
  /** the row whose receipt came last */
  last_receipt: { slice_seq: number; receipt: string; receipt_ms: number } | null;
}

/** Thrown when a packaging write finds the partner's state or the composition's progress moved since they were read. */
export class OutboxConflictError extends Error {
  readonly code = 'ERR_OUTBOX_CONFLICT';
  override name = 'OutboxConflictError';
}

export interface FederationStore {
  /** the partner's state, created (nothing sent) on first use; a new `selectionDigest` sets scanned_size back to 0 */
  partnerState(partner: string, selectionDigest: string): Promise<PartnerState>;
  /** records that compositions with leaves below `size` were looked at */
  setScanned(partner: string, size: number): Promise<void>;
  /** the last sequence of the composition packaged for the partner (0: none) */
  progress(partner: string, compositionId: string): Promise<number>;
  /** compositions with a leaf in [fromSize, toSize), by their first such leaf */
  compositionsWithLeaves(fromSize: number, toSize: number): Promise<string[]>;
  /** the composition's events whose leaves are below `size`, in sequence order */
  coveredEvents(compositionId: string, size: number): Promise<CoveredEvent[]>;
  /** a decision that let nothing out (DENY); returns its id */
  recordDecision(decision: DecisionRecord): Promise<number>;
  /** the decision, the outbox row, the progress and the partner's state in one transaction; OutboxConflictError when either moved */
  packageSlice(slice: PackagedSlice): Promise<void>;
  /**
   * the partner's rows to publish now, in slice_seq order: pending ones, and — last published before
   * `resendBeforeMs` — sent ones, and refused ones whose reason is one of `retryReasons`
   */
  toPublish(partner: string, resendBeforeMs: number, retryReasons?: readonly string[]): Promise<OutboxRow[]>;
  /** the broker confirmed a publish: pending → sent (a receipt that came first stays), publish time and count */
  markSent(partner: string, sliceSeq: number, nowMs: number): Promise<void>;
  /** applies a receipt to the row at (partner, slice_seq) with this digest, atomically */
  recordReceipt(partner: string, sliceSeq: number, digest: string, receipt: { reason_code: string | null; message: string; received_ms: number }, transition: ReceiptTransition): Promise<ReceiptRecorded>;
  outboxRow(partner: string, sliceSeq: number): Promise<OutboxRow | undefined>;
  decisions(partner?: string): Promise<(DecisionRecord & { id: number; slice_seq: number | null })[]>;
  summaries(): Promise<PartnerSummary[]>;
}
