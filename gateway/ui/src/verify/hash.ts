/**
 * SHA-256 through WebCrypto, and the event hash of audit/chain.ts computed with it: the canonical form comes
 * from audit/canonical.ts itself (RFC 8785 by the `canonicalize` library — one home for the rule), only the
 * digest is WebCrypto's instead of @noble/hashes'.
 */
import { canonicalJson } from '../../../../audit/canonical.js';
import { concatBytes, toHex, utf8 } from './bytes.js';

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** `sha256:<hex>` of some bytes (audit/canonical.ts sha256Ref). */
export const sha256Ref = async (bytes: Uint8Array): Promise<string> => `sha256:${toHex(await sha256(bytes))}`;

/** What `this_hash` must be: the canonical JSON of the event without its this_hash (audit/chain.ts computeThisHash). */
export async function thisHashOf(event: Record<string, unknown>): Promise<string> {
  const { this_hash: _ignored, ...rest } = event;
  return sha256Ref(utf8(canonicalJson(rest)));
}

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** RFC 9162 MTH({d}) = SHA-256(0x00 ‖ d) (audit/tlog/merkle-hash.ts leafHash). */
export const leafHash = (bytes: Uint8Array): Promise<Uint8Array> => sha256(concatBytes(LEAF, bytes));

/** SHA-256(0x01 ‖ left ‖ right) (audit/tlog/merkle-hash.ts nodeHash). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(concatBytes(NODE, left, right));
