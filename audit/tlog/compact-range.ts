/**
 * Appending to the tree without rereading it: a tree of n leaves is summarised by its compact range, the
 * hashes of the complete aligned subtrees ("peaks") that [0, n) decomposes into — one per set bit of n,
 * largest first. Appending leaf n completes a node at level k for every k with 2^k dividing n + 1; those
 * nodes are returned for the store to keep, so that any root or proof at any size up to the current one
 * can later be computed from O(log n) stored nodes (see proofs.ts) instead of rehashing the tree.
 */
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './merkle-hash.js';
import { alignedPieces, assertTreeIndex, popCount, type NodeId } from './tree-math.js';

export interface CompactRange {
  /** number of leaves */
  readonly size: number;
  /** the peaks of [0, size), left to right (largest first) */
  readonly peaks: readonly Uint8Array[];
}

/** A node to persist, keyed by (level, index); level 0 rows are the leaf hashes themselves. */
export interface StoredNode extends NodeId {
  hash: Uint8Array;
}

export const EMPTY_RANGE: CompactRange = { size: 0, peaks: [] };

/** Which stored nodes form the compact range of a tree of `size` leaves: read them to resume appending. */
export function peakIds(size: number): NodeId[] {
  assertTreeIndex(size, 'size');
  return alignedPieces(0, size);
}

export function compactRange(size: number, peaks: readonly Uint8Array[]): CompactRange {
  assertTreeIndex(size, 'size');
  if (peaks.length !== popCount(size)) throw new TypeError(`a tree of ${size} leaves has ${popCount(size)} peaks, got ${peaks.length}`);
  for (const peak of peaks) if (peak.length !== HASH_SIZE) throw new TypeError(`a peak must be ${HASH_SIZE} bytes, got ${peak.length}`);
  return { size, peaks: [...peaks] };
}

/** Appends one leaf hash: the new compact range and the nodes it completed (the leaf first, then upwards). */
export function appendLeaf(range: CompactRange, leaf: Uint8Array): { range: CompactRange; nodes: StoredNode[] } {
  if (leaf.length !== HASH_SIZE) throw new TypeError(`a leaf hash must be ${HASH_SIZE} bytes, got ${leaf.length}`);
  if (range.peaks.length !== popCount(range.size)) throw new TypeError('the compact range does not match its size');
  if (!Number.isSafeInteger(range.size + 1)) throw new RangeError('the tree is full');
  const peaks = [...range.peaks];
  const nodes: StoredNode[] = [{ level: 0, index: range.size, hash: leaf }];
  let hash = leaf;
  let level = 0;
  let index = range.size;
  // An odd index is a right child: its left sibling is the last peak, and together they complete the parent.
  while (index % 2 === 1) {
    hash = nodeHash(peaks.pop()!, hash);
    level++;
    index = (index - 1) / 2;
    nodes.push({ level, index, hash });
  }
  peaks.push(hash);
  return { range: { size: range.size + 1, peaks }, nodes };
}

/** Appends several leaf hashes in order. */
export function appendLeaves(range: CompactRange, leaves: Iterable<Uint8Array>): { range: CompactRange; nodes: StoredNode[] } {
  const nodes: StoredNode[] = [];
  for (const leaf of leaves) {
    const step = appendLeaf(range, leaf);
    range = step.range;
    nodes.push(...step.nodes);
  }
  return { range, nodes };
}

/** The root of the tree the compact range summarises: the right fold of its peaks. */
export function compactRangeRoot(range: CompactRange): Uint8Array {
  return foldRight(range.peaks);
}

/** node(h1, node(h2, … node(hk−1, hk))); the empty list folds to the empty tree's root. */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT.slice();
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}
