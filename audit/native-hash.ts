/**
 * `computeThisHash` (audit/chain.ts) for verifiers: the same canonical JSON (the `canonicalize` library), hashed
 * by Node's native SHA-256 (OpenSSL, ~4× @noble/hashes here) instead of the pure-JS one that workflow code must
 * use. Never import this from workflow code (node:crypto is not there).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** `sha256:<hex>` of the event's canonical JSON without its this_hash: what `this_hash` must be. */
export function thisHashNative(event: Record<string, unknown>): string {
  const { this_hash: _ignored, ...rest } = event;
  return `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}
