/**
 * The hash-free half of RFC 9162 §2.1.3.2 (inclusion proof verification): which side each hash of an audit
 * path joins on depends only on the leaf index and the tree size. Kept apart from the hashing so the Node
 * verifier (verify-proof.ts, node:crypto, synchronous) and the page's (gateway/ui/src/verify/inclusion.ts,
 * WebCrypto, async) walk one path rule and differ only in how they hash.
 */
import { HASH_SIZE, isTreeIndex } from './tree-math.js';

const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/** Each one a node hash (32 bytes). */
export const areHashes = (list: readonly Uint8Array[]): boolean => list.every((h) => h instanceof Uint8Array && h.length === HASH_SIZE);

/**
 * For an audit path of `length` hashes for leaf `index` of a tree of `size` leaves: for each hash, whether it
 * is a left sibling (r = HASH(0x01 ‖ p ‖ r)) rather than a right one (r = HASH(0x01 ‖ r ‖ p)). Null when no
 * path of that length can lead from that leaf to the root, so no hashing can make it hold.
 */
export function inclusionPathSides(index: number, size: number, length: number): boolean[] | null {
  if (!isTreeIndex(index) || !isTreeIndex(size)) return null;
  // 1. leaf_index must be below tree_size.
  if (index >= size) return null;
  // 2. fn = leaf_index, sn = tree_size − 1.
  let fn = index;
  let sn = size - 1;
  const sides: boolean[] = [];
  // 4. For each p in the inclusion path:
  for (let i = 0; i < length; i++) {
    // a. a path longer than the tree is high fails.
    if (sn === 0) return null;
    const left = odd(fn) || fn === sn;
    sides.push(left);
    // b. past the right edge, a left sibling climbs until fn is a right child.
    if (left) {
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    // c. one level up.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. the path must have reached the root (sn = 0).
  return sn === 0 ? sides : null;
}
