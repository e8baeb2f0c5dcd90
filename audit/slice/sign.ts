/**
 * Signing and opening slice and receipt messages: a detached compact JWS (EdDSA) over the canonical JSON of
 * the slice or receipt — the export bundle's signature (audit/bundle/signature.ts) over other bytes.
 */
import type { JWK } from 'jose';
import { signManifest, verifyManifestSignature } from '../bundle/signature.js';
import type { SigningKey } from '../bundle/signing-key.js';
import { signedBytes } from './digest.js';
import { receiptSchema, type Receipt, type Slice } from './format.js';

/** The message bytes of a slice, signed with the sender's export signing key. */
export async function sliceMessage(slice: Slice, key: SigningKey): Promise<Buffer> {
  return Buffer.from(JSON.stringify({ slice, jws: await signManifest(signedBytes(slice), key) }), 'utf8');
}

/** The message bytes of a receipt, signed with the receiving organisation's key. */
export async function receiptMessage(receipt: Receipt, key: SigningKey): Promise<Buffer> {
  return Buffer.from(JSON.stringify({ receipt, jws: await signManifest(signedBytes(receipt), key) }), 'utf8');
}

export type OpenedReceipt = { ok: true; receipt: Receipt } | { ok: false; reason: string };

/** A receipt message checked against the partner's pinned receipt key; never throws on bad input. */
export async function openReceipt(bytes: Uint8Array, partnerKey: JWK): Promise<OpenedReceipt> {
  let value: { receipt?: unknown; jws?: unknown };
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof value;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = receiptSchema.safeParse(value?.receipt);
  if (!parsed.success || typeof value.jws !== 'string') return { ok: false, reason: `not a receipt: ${parsed.success ? 'jws missing' : parsed.error.issues[0]!.message}` };
  const check = await verifyManifestSignature(value.jws, signedBytes(parsed.data), partnerKey);
  return check.ok ? { ok: true, receipt: parsed.data } : { ok: false, reason: check.reason ?? 'the receipt signature does not hold' };
}
