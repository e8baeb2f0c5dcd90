/**
 * Appending admitted events to the log, inside the store's commit transaction: each accepted row becomes
 * the next leaf (leaf hash of its canonical JSON, the exact bytes the ledger stores), and the complete
 * subtrees it finishes are stored. The store reads the current size and the peaks under its write lock, so
 * two ledger processes sharing a store extend one tree, never two.
 */
import { appendLeaves, compactRange, leafHash } from '../../audit/tlog/merkle.js';
import type { CanonicalRow } from '../records.js';

export interface LeafRow {
  leaf_index: number;
  event_id: string;
  composition_id: string;
}

export interface NodeRow {
  level: number;
  node_index: number;
  hash: string;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

/** The rows that append `accepted`, in order, to a tree of `size` leaves whose peaks are `peaks` (hex). */
export function logRowsFor(size: number, peaks: readonly string[], accepted: readonly CanonicalRow[]): { leaves: LeafRow[]; nodes: NodeRow[] } {
  const range = compactRange(size, peaks.map(unhex));
  const { nodes } = appendLeaves(range, accepted.map((r) => leafHash(Buffer.from(r.body, 'utf8'))));
  return {
    leaves: accepted.map((r, i) => ({ leaf_index: size + i, event_id: r.event_id, composition_id: r.composition_id })),
    nodes: nodes.map((n) => ({ level: n.level, node_index: n.index, hash: hex(n.hash) })),
  };
}
