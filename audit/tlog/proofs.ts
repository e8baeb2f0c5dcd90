/**
 * Roots and proofs of RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (SUBPROOF) from stored complete subtrees.
 *
 * Every element of a proof is MTH(D[a:b]) of one range the RFC recursion visits. Such a range is either a
 * complete aligned subtree (one stored node) or reaches the tree's right edge, where it is the right fold
 * of the few complete subtrees it decomposes into. So a proof is planned first (which nodes, pure), then
 * read in one batch — one query to the SQL node table, not one per node — then assembled.
 */
import { foldRight } from './compact-range.js';
import { alignedPieces, assertTreeIndex, splitPoint, type NodeId } from './tree-math.js';

/** The store of complete subtree hashes kept by compact-range.ts's appendLeaf. */
export interface NodeReader {
  /** the hashes of the given nodes, in the same order; every id asked for lies within the tree's size */
  nodes(ids: readonly NodeId[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
}

/** Which stored nodes a root or proof needs: `ids` in order, `widths[i]` of them folding into element i. */
export interface ProofPlan {
  ids: NodeId[];
  widths: number[];
}

type Range = readonly [start: number, end: number];

function planOf(ranges: readonly Range[]): ProofPlan {
  const ids: NodeId[] = [];
  const widths: number[] = [];
  for (const [start, end] of ranges) {
    const pieces = alignedPieces(start, end);
    ids.push(...pieces);
    widths.push(pieces.length);
  }
  return { ids, widths };
}

/** PATH(m, D[a:b]): the ranges whose hashes prove leaf a + m, deepest first. */
function pathRanges(m: number, a: number, b: number, out: Range[]): void {
  const n = b - a;
  if (n <= 1) return;
  const k = splitPoint(n);
  if (m < k) {
    pathRanges(m, a, a + k, out);
    out.push([a + k, b]);
  } else {
    pathRanges(m - k, a + k, b, out);
    out.push([a, a + k]);
  }
}

/** SUBPROOF(m, D[a:b], complete): the ranges proving D[a:a+m] is a prefix of D[a:b], deepest first. */
function subproofRanges(m: number, a: number, b: number, complete: boolean, out: Range[]): void {
  const n = b - a;
  if (m === n) {
    if (!complete) out.push([a, b]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, a, a + k, complete, out);
    out.push([a + k, b]);
  } else {
    subproofRanges(m - k, a + k, b, false, out);
    out.push([a, a + k]);
  }
}

export function rootPlan(size: number): ProofPlan {
  assertTreeIndex(size, 'size');
  return size === 0 ? { ids: [], widths: [] } : planOf([[0, size]]);
}

export function inclusionPlan(index: number, size: number): ProofPlan {
  assertTreeIndex(index, 'index');
  assertTreeIndex(size, 'size');
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  const ranges: Range[] = [];
  pathRanges(index, 0, size, ranges);
  return planOf(ranges);
}

/** PROOF(m, D[n]) for 0 < m ≤ n; empty when m = n. */
export function consistencyPlan(m: number, n: number): ProofPlan {
  assertTreeIndex(m, 'm');
  assertTreeIndex(n, 'n');
  if (m === 0 || m > n) throw new RangeError(`no consistency proof from size ${m} to size ${n} (need 0 < m ≤ n)`);
  const ranges: Range[] = [];
  subproofRanges(m, 0, n, true, ranges);
  return planOf(ranges);
}

/** The proof's hashes from the plan and the hashes of its `ids`, in order. */
export function assemble(plan: ProofPlan, hashes: readonly Uint8Array[]): Uint8Array[] {
  if (hashes.length !== plan.ids.length) throw new TypeError(`the plan reads ${plan.ids.length} nodes, got ${hashes.length}`);
  const proof: Uint8Array[] = [];
  let at = 0;
  for (const width of plan.widths) {
    proof.push(foldRight(hashes.slice(at, at + width)));
    at += width;
  }
  return proof;
}

async function run(reader: NodeReader, plan: ProofPlan): Promise<Uint8Array[]> {
  return assemble(plan, plan.ids.length === 0 ? [] : await reader.nodes(plan.ids));
}

/** MTH(D[0:size]) — the root the tree had at `size` leaves. */
export async function root(reader: NodeReader, size: number): Promise<Uint8Array> {
  const plan = rootPlan(size);
  return foldRight(await run(reader, plan));
}

/** The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves, leaf end first. */
export async function inclusionProof(reader: NodeReader, index: number, size: number): Promise<Uint8Array[]> {
  return run(reader, inclusionPlan(index, size));
}

/** The consistency proof from the tree of `m` leaves to the tree of `n` leaves. */
export async function consistencyProof(reader: NodeReader, m: number, n: number): Promise<Uint8Array[]> {
  return run(reader, consistencyPlan(m, n));
}
