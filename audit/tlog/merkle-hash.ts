/**
 * RFC 9162 §2.1.1 (= RFC 6962 §2.1) hashing with SHA-256: a leaf is hashed with a 0x00 prefix, an interior
 * node with 0x01, so that no leaf can pass for a node (second-preimage resistance). node:crypto rather than
 * @noble/hashes: proofs hash up to ~2·log2(n) times per request and the ledger hashes every appended leaf;
 * none of this runs inside Temporal workflow code, where Node built-ins are banned.
 */
import { createHash } from 'node:crypto';

export { HASH_SIZE } from './tree-math.js';
export { equalBytes } from './encoding.js';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(bytes).digest());
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/** MTH({}) = SHA-256() — the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(createHash('sha256').digest());
