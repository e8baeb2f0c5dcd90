/**
 * Index arithmetic for RFC 9162 trees. Sizes reach past 2^32 long before they reach 2^53, and JavaScript's
 * bitwise operators work on 32 bits, so everything here is plain arithmetic on safe integers.
 */

/** Every node hash of an RFC 6962 / 9162 tree here is SHA-256: 32 bytes. */
export const HASH_SIZE = 32;

/** A complete, aligned subtree: leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf. */
export interface NodeId {
  level: number;
  index: number;
}

export function isTreeIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function assertTreeIndex(n: number, what: string): void {
  if (!isTreeIndex(n)) throw new TypeError(`${what} must be a non-negative safe integer, got ${n}`);
}

/** The k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** The number of set bits of n: how many peaks a tree of n leaves has. */
export function popCount(n: number): number {
  let count = 0;
  for (; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}

/**
 * The complete aligned subtrees that make up [start, end), largest first. For the ranges the RFC recursion
 * produces (start aligned to a power of two at least end − start) these are the peaks of the range, and
 * its hash is their right fold: MTH = node(p1, node(p2, … node(pk−1, pk))).
 */
export function alignedPieces(start: number, end: number): NodeId[] {
  const pieces: NodeId[] = [];
  while (start < end) {
    let level = 0;
    let width = 1;
    while (start % (width * 2) === 0 && start + width * 2 <= end) {
      width *= 2;
      level++;
    }
    pieces.push({ level, index: start / width });
    start += width;
  }
  return pieces;
}
