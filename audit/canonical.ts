/**
 * Canonical bytes and hashes. RFC 8785 (JSON Canonicalization Scheme) by the `canonicalize` library, the
 * RFC author's reference implementation; SHA-256 by @noble/hashes (pure JS, so workflow code can hash too).
 */
import canonicalizeModule from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

type Canonicalize = (input: unknown) => string | undefined;
// The package is CommonJS (`module.exports = fn`) with ESM-style typings: under Node the default import is
// the function itself, under some bundlers it is wrapped in `{ default }`.
const canonicalizeJson: Canonicalize =
  typeof canonicalizeModule === 'function' ? (canonicalizeModule as Canonicalize) : (canonicalizeModule as { default: Canonicalize }).default;

/** RFC 8785 canonical JSON text of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalizeJson(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}

/** `sha256:<hex>` of some bytes. */
export function sha256Ref(bytes: Uint8Array): string {
  return `sha256:${bytesToHex(sha256(bytes))}`;
}

/** `sha256:<hex>` of a value's canonical JSON: the content hash used for chain links and payload refs. */
export function hashOf(value: unknown): string {
  return sha256Ref(canonicalBytes(value));
}
