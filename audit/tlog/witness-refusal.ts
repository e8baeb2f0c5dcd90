/**
 * A witness's signed refusal: what it tells the ledger when it will not cosign a checkpoint (a rollback, a
 * fork, a bad log signature…). Signed with the witness's cosigner key — the same Ed25519 seed as its
 * cosignatures — so the ledger, which pins that key, can verify who refused and raise its self-audit alarm.
 *
 *   message   = "coordination-ledger witness refusal v1\n" ‖ RFC 8785 canonical JSON of the fields
 *   body      = the fields ‖ { "signature": base64(Ed25519(message)) }
 *
 * The header gives domain separation from cosignature/v1 messages ("cosignature/v1\n…"): a refusal
 * signature can never pass for a cosignature, nor the other way round.
 */
import { canonicalJson } from '../canonical.js';
import { SIGNATURE_SIZE, keyPairFromSeed, verifierFor } from './ed25519.js';
import { fromBase64, toBase64, utf8 } from './encoding.js';
import { SIG_COSIGNATURE_V1, parseSignerKey, parseVerifierKey, type VerifierKey } from './note-keys.js';

export const REFUSAL_HEADER = 'coordination-ledger witness refusal v1\n';

/** Why a witness refused to cosign; stable codes (the ledger stores and alarms on them). */
export const REFUSAL_REASONS = [
  /** the checkpoint is not signed by the pinned log key, or its signature does not verify */
  'bad_signature',
  /** the checkpoint names another origin than the pinned one */
  'wrong_origin',
  /** the tree is smaller than the one the witness last cosigned */
  'rollback',
  /** same size, other root (a fork), a consistency proof that fails, or a size-0 tree whose root is not the empty root */
  'inconsistent',
  /** the ledger's answer is not a signed note, a checkpoint or a proof, or is larger than the witness reads */
  'malformed',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What a refusal states (signed). */
export interface RefusalFields {
  /** the witness's key name (the name of its cosigner vkey) */
  witness: string;
  origin: string;
  /** the size the witness last cosigned (0 if none) */
  old_size: number;
  /** the size the refused checkpoint claims (0 if it could not be read) */
  new_size: number;
  reason: RefusalReason;
  detail: string;
  /** POSIX seconds */
  time: number;
}

export interface SignedRefusal extends RefusalFields {
  /** base64 Ed25519 signature over refusalMessage(fields) */
  signature: string;
}

/** Signs refusals with a cosigner key's seed. */
export interface RefusalSigner {
  readonly name: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Bounds on what a refusal may hold: a hostile ledger must not make the witness sign (or the ledger store) megabytes. */
export const MAX_DETAIL_LENGTH = 1000;
export const MAX_ORIGIN_LENGTH = 256;

const FIELDS = ['witness', 'origin', 'old_size', 'new_size', 'reason', 'detail', 'time'] as const;
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The fields of `value` if it is a well-formed refusal (signature not checked), or null. */
export function parseRefusal(value: unknown): SignedRefusal | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).sort();
  if (keys.join() !== [...FIELDS, 'signature'].sort().join()) return null;
  if (typeof v.witness !== 'string' || v.witness.length === 0) return null;
  if (typeof v.origin !== 'string' || v.origin.length > MAX_ORIGIN_LENGTH) return null;
  if (typeof v.detail !== 'string' || v.detail.length > MAX_DETAIL_LENGTH) return null;
  if (!REFUSAL_REASONS.includes(v.reason as RefusalReason)) return null;
  if (!isSize(v.old_size) || !isSize(v.new_size) || !isSize(v.time)) return null;
  if (typeof v.signature !== 'string') return null;
  return v as unknown as SignedRefusal;
}

function fieldsOf(refusal: RefusalFields): RefusalFields {
  return Object.fromEntries(FIELDS.map((k) => [k, refusal[k]])) as unknown as RefusalFields;
}

/** The bytes a refusal's signature covers: the header and the canonical JSON of the fields (no signature). */
export function refusalMessage(fields: RefusalFields): Uint8Array {
  return utf8(REFUSAL_HEADER + canonicalJson(fieldsOf(fields)));
}

/** A refusal signer from the witness's cosigner skey (PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>). */
export function refusalSigner(cosignerKey: string): RefusalSigner {
  const { name, seed } = parseSignerKey(cosignerKey, SIG_COSIGNATURE_V1);
  const pair = keyPairFromSeed(seed);
  return { name, sign: (message) => pair.sign(message) };
}

/** The signed refusal body to POST; throws TypeError for fields a verifier would refuse. */
export function signRefusal(fields: RefusalFields, signer: RefusalSigner): SignedRefusal {
  if (fields.witness !== signer.name) throw new TypeError(`the refusal names witness ${JSON.stringify(fields.witness)}, the key is ${JSON.stringify(signer.name)}`);
  const body = { ...fieldsOf(fields), signature: '' };
  if (!parseRefusal(body)) throw new TypeError('the refusal fields are out of bounds (sizes, time, reason, origin or detail length)');
  return { ...body, signature: toBase64(signer.sign(refusalMessage(fields))) };
}

/**
 * Whether `body` (parsed JSON) is a well-formed refusal signed by the witness whose cosigner vkey (type
 * 0x04) is `verifierKey`, and names that witness. Never throws for a bad body; throws a TlogError for a bad vkey.
 */
export function verifyRefusal(body: unknown, verifierKey: string | VerifierKey): boolean {
  const key = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey, SIG_COSIGNATURE_V1) : verifierKey;
  if (key.type !== SIG_COSIGNATURE_V1) throw new TypeError('a refusal is verified with the witness\'s cosigner key (type 0x04)');
  const refusal = parseRefusal(body);
  if (!refusal || refusal.witness !== key.name) return false;
  const signature = fromBase64(refusal.signature);
  if (!signature || signature.length !== SIGNATURE_SIZE) return false;
  return verifierFor(key.publicKey)(refusalMessage(refusal), signature);
}
