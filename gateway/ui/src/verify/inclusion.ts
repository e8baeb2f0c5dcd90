/**
 * RFC 9162 inclusion proofs checked in the page: verifyInclusion of audit/tlog/verify-proof.ts, the same
 * path rule (audit/tlog/proof-path.ts) with WebCrypto's (async) SHA-256; and the proofs.jsonl line of one
 * event judged as the edge worker's events pass judges it. The leaf is the event's line in events.jsonl —
 * its canonical JSON, no newline.
 */
import { areHashes, inclusionPathSides } from '../../../../audit/tlog/proof-path.js';
import { HASH_SIZE } from '../../../../audit/tlog/tree-math.js';
import { equalBytes, fromBase64, utf8 } from './bytes.js';
import { leafHash, nodeHash } from './hash.js';
import { MAX_PROOF_HASHES } from './limits.js';

/** Whether `proof` shows the leaf with hash `leaf` at `index` in the tree of `size` leaves with root `root`. */
export async function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (!areHashes([leaf, root, ...proof])) return false;
  const sides = inclusionPathSides(index, size, proof.length);
  if (!sides) return false;
  let r = leaf;
  for (const [i, p] of proof.entries()) r = sides[i] ? await nodeHash(p, r) : await nodeHash(r, p);
  return equalBytes(r, root);
}

export interface ProvenCheckpoint {
  size: number;
  root: Uint8Array;
}

export type ProofFinding =
  | { status: 'ok' }
  | { status: 'not_yet_covered' }
  | { status: 'bad'; code: 'inclusion_missing' | 'inclusion_invalid'; kind: 'log_proof_missing' | 'log_proof_invalid'; message: string };

/**
 * One event's proof line (already matched to the event by event_id, or null) against a verified checkpoint.
 * A line whose leaf_index and proof are both null is the exporter's "not covered yet": the page reports it
 * as such, where the edge worker, which expects a whole bundle proven, counts it missing.
 */
export async function judgeProof(lineText: string, proofLine: Record<string, unknown> | null, checkpoint: ProvenCheckpoint): Promise<ProofFinding> {
  if (!proofLine) return { status: 'bad', code: 'inclusion_missing', kind: 'log_proof_missing', message: `no inclusion proof line for this event at the checkpoint's size ${checkpoint.size}` };
  const index = proofLine.leaf_index;
  const proof = proofLine.proof;
  if (index === null && proof === null) return { status: 'not_yet_covered' };
  if (index === null || proof === null || index === undefined || proof === undefined) {
    return { status: 'bad', code: 'inclusion_missing', kind: 'log_proof_missing', message: `no inclusion proof at the checkpoint's size ${checkpoint.size}` };
  }
  const hashes = Array.isArray(proof) && proof.length <= MAX_PROOF_HASHES ? proof.map((p) => (typeof p === 'string' ? fromBase64(p) : null)) : null;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || !hashes || hashes.some((h) => h === null || h.length !== HASH_SIZE)) {
    return { status: 'bad', code: 'inclusion_invalid', kind: 'log_proof_invalid', message: 'the proof line is malformed (leaf_index, or a hash that is not 32 bytes of base64)' };
  }
  const ok = index < checkpoint.size && (await verifyInclusion(await leafHash(utf8(lineText)), index, checkpoint.size, hashes as Uint8Array[], checkpoint.root));
  return ok ? { status: 'ok' } : { status: 'bad', code: 'inclusion_invalid', kind: 'log_proof_invalid', message: `the line is not leaf ${index} of the checkpoint's tree of ${checkpoint.size}` };
}
