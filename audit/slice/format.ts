/**
 * The federation slice and its receipt (seed 000 §7.5: "the producing node packages event slices (with
 * verification metadata); the receiving node imports and verifies"). A slice carries what an export bundle
 * carries (audit/bundle/format.ts), for one contiguous run of one composition's events, in one message:
 *
 * - `events` — each event's line, exactly its RFC 8785 canonical JSON (the transparency log's leaf bytes);
 * - `signatures` — beside them, the emitter signature each was admitted with (`{ event_id, kid, sig }`);
 * - `checkpoint` — the log's witnessed checkpoint (C2SP signed note with the witnesses' cosignatures) and
 *   `proofs`, an RFC 9162 inclusion proof per event against it; `consistency`, the proof from the previous
 *   slice's checkpoint to this one (null when that was the same tree, or for the first slice);
 * - `schemas` — each schema the events use, with the fingerprint of its JSON Schema (schemas/json-schema.ts);
 * - `decision` — the PDP's `federate` decision that let the slice out;
 * - `slice_seq` — 1, 2, 3 … per sender and partner, no gaps: the receiver imports in this order, so the
 *   checkpoints it sees only grow and a composition's slices arrive in chain order.
 *
 * On the wire: `{ slice, jws }`, `jws` a detached compact JWS (EdDSA, the export signing key) over the
 * slice's canonical JSON — the bundle signature's algorithm and key (audit/bundle/signature.ts). A receipt
 * is `{ receipt, jws }`, signed by the receiving organisation's own key.
 */
import { z } from 'zod';

export const SLICE_FORMAT = 'coordination-ledger.slice.v1';
export const RECEIPT_FORMAT = 'coordination-ledger.receipt.v1';
/** A slice larger than this is refused unread (a composition's run of events is a few kB each). */
export const MAX_SLICE_BYTES = 4 << 20;
export const MAX_SLICE_EVENTS = 1000;

const sha256Ref = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const org = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/);
const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const position = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const sliceSchema = z.strictObject({
  format: z.literal(SLICE_FORMAT),
  sender: org,
  partner: org,
  slice_seq: position,
  composition_id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,120}$/),
  from_sequence: position,
  events: z.array(z.string().max(256 * 1024)).min(1).max(MAX_SLICE_EVENTS),
  signatures: z.array(z.strictObject({ event_id: z.string(), kid: z.string().max(200), sig: z.string().max(200) })).max(MAX_SLICE_EVENTS),
  checkpoint: z.string().max(64 * 1024),
  proofs: z.array(z.strictObject({ event_id: z.string(), leaf_index: z.number().int().min(0), proof: z.array(base64Hash).max(64) })).max(MAX_SLICE_EVENTS),
  consistency: z.strictObject({ from_size: z.number().int().min(0), proof: z.array(base64Hash).max(128) }).nullable(),
  schemas: z.array(z.strictObject({ schema_id: z.string().max(200), fingerprint: sha256Ref })).max(100),
  decision: z.strictObject({ action: z.literal('federate'), outcome: z.literal('ALLOW'), uds_eval_id: z.string().max(200) }),
});
export type Slice = z.infer<typeof sliceSchema>;

export const sliceMessageSchema = z.strictObject({ slice: z.unknown(), jws: z.string().max(8192) });
export interface SliceMessage {
  slice: Slice;
  jws: string;
}

/**
 * Why a receiver refused a slice, or that it waits. Stable codes: senders act on them, tests assert them.
 * Checked in this order (audit/slice/verify.ts): shape, the events themselves, the slice signature, the
 * schemas, the checkpoint and proofs, then against what the receiver holds.
 */
export const SLICE_REASONS = [
  'slice_malformed',
  'wrong_partner',
  'event_invalid',
  'event_hash_mismatch',
  'emitter_signature_invalid',
  'chain_broken',
  'slice_signature_invalid',
  'slice_key_untrusted',
  'schema_unpinned',
  'checkpoint_invalid',
  'checkpoint_not_witnessed',
  'inclusion_proof_invalid',
  'checkpoint_inconsistent',
  'contradicts_held',
  'lifecycle_invalid',
  'not_entitled',
  'waiting_for_earlier_slice',
] as const;
export type SliceReason = (typeof SLICE_REASONS)[number];

/**
 * Refusals given before the receiver looks at what it holds (audit/slice/verify.ts, steps 1–5): they prove
 * nothing about the sender, so they take no place in the sequence and the slice may be sent again.
 * (`chain_broken` is given at both stages and is not among them.)
 */
/** Reasons only the checks against held state give (step 6), `chain_broken` among them. */
const HELD_STATE_REASONS: readonly SliceReason[] = ['chain_broken', 'checkpoint_inconsistent', 'contradicts_held', 'lifecycle_invalid', 'not_entitled', 'waiting_for_earlier_slice'];
export const REFUSALS_WITHOUT_PLACE: readonly SliceReason[] = SLICE_REASONS.filter((r) => !HELD_STATE_REASONS.includes(r));

/** What the receiver did with a slice: imported it, had it already, refused it, or holds it until a gap closes. */
export const RECEIPT_STATUSES = ['accepted', 'duplicate', 'refused', 'pending'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

export const receiptSchema = z.strictObject({
  format: z.literal(RECEIPT_FORMAT),
  sender: org,
  partner: org,
  slice_seq: position.nullable(),
  /** sha256 of the slice's canonical JSON, when it could be read */
  slice_digest: sha256Ref.nullable(),
  composition_id: z.string().nullable(),
  status: z.enum(RECEIPT_STATUSES),
  reason_code: z.enum(SLICE_REASONS).nullable(),
  detail: z.string().max(2000).nullable(),
  /** the receiver's head of the composition after this slice */
  head: z.strictObject({ sequence: position, this_hash: sha256Ref }).nullable(),
  /** the largest checkpoint the receiver holds */
  checkpoint_size: z.number().int().min(0).nullable(),
  /**
   * the place the receiver imports next, after this slice: a refusal with `slice_seq >= next_seq` left the
   * place open (it proved nothing about the sender, e.g. schema_unpinned) — the stream waits there until
   * the slice is sent again; one with `slice_seq < next_seq` used it up. (The reason code alone cannot
   * tell: chain_broken and contradicts_held occur both ways.)
   */
  next_seq: position.optional(),
  received_at: z.string(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export interface ReceiptMessage {
  receipt: Receipt;
  jws: string;
}
