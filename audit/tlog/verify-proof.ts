/**
 * Proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), step by step. Pure and
 * synchronous: a verifier needs no store, only the proof and the roots it trusts (from signed checkpoints).
 * No JavaScript library for this is both small and maintained (sigstore's is internal to @sigstore/verify
 * and inclusion-only), and the algorithms are short enough to read against the RFC.
 *
 * The "LSB" and "right-shift" of the RFC are `% 2` and halving here: indices pass 2^32 long before 2^53.
 */
import { equalBytes, nodeHash } from './merkle-hash.js';
import { areHashes, inclusionPathSides } from './proof-path.js';
import { isPowerOfTwo, isTreeIndex } from './tree-math.js';

const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/** Whether `proof` shows the leaf with hash `leaf` at `index` in the tree of `size` leaves with root `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!areHashes([leaf, root, ...proof])) return false;
  // Steps 1–5 of the RFC without the hashing: the side each hash joins on, or null for a path that cannot hold.
  const sides = inclusionPathSides(index, size, proof.length);
  if (!sides) return false;
  // 3.–4. r = leaf, then each p joined on its side: HASH(0x01 ‖ p ‖ r) for a left sibling, else HASH(0x01 ‖ r ‖ p).
  let r = leaf;
  proof.forEach((p, i) => {
    r = sides[i] ? nodeHash(p, r) : nodeHash(r, p);
  });
  // 5. the path reached the root and hashed to it.
  return equalBytes(r, root);
}

/**
 * Whether `proof` shows the tree of `m` leaves with root `rootM` is a prefix of the tree of `n` leaves with
 * root `rootN`. Two refusals go beyond the RFC's algorithm and follow transparency-dev/merkle: m = 0 (every
 * tree extends the empty tree, so such a "proof" proves nothing) and, for m = n, anything but an empty proof
 * with equal roots.
 */
export function verifyConsistency(m: number, n: number, proof: readonly Uint8Array[], rootM: Uint8Array, rootN: Uint8Array): boolean {
  if (!isTreeIndex(m) || !isTreeIndex(n) || !areHashes([rootM, rootN, ...proof])) return false;
  if (m === 0 || m > n) return false;
  if (m === n) return proof.length === 0 && equalBytes(rootM, rootN);
  // 1. an empty path proves nothing.
  if (proof.length === 0) return false;
  // 2. if first is a power of two, its root is the first node of the path (a complete left subtree).
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  // 3. fn = first − 1, sn = second − 1.
  let fn = m - 1;
  let sn = n - 1;
  // 4. skip the levels where the first tree's last node is a right child within the path's first node.
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr and sr start from the first node of the path.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6. for each subsequent c:
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      // c is a left sibling in both trees.
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // c is a right sibling, only in the second tree.
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7. both roots recomputed, and the path reached the second tree's root.
  return sn === 0 && equalBytes(fr, rootM) && equalBytes(sr, rootN);
}
