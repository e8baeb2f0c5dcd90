/**
 * The transparency log's Merkle tree (RFC 9162 §2.1, SHA-256): hashing, incremental appends that yield the
 * complete subtrees to store, roots and proofs read from those stored subtrees, and proof verification.
 */
export { EMPTY_ROOT, HASH_SIZE, equalBytes, leafHash, nodeHash } from './merkle-hash.js';
export type { NodeId } from './tree-math.js';
export { EMPTY_RANGE, appendLeaf, appendLeaves, compactRange, compactRangeRoot, peakIds } from './compact-range.js';
export type { CompactRange, StoredNode } from './compact-range.js';
export { assemble, consistencyPlan, consistencyProof, inclusionPlan, inclusionProof, root, rootPlan } from './proofs.js';
export type { NodeReader, ProofPlan } from './proofs.js';
export { verifyConsistency, verifyInclusion } from './verify-proof.js';
