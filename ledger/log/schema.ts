/**
 * The transparency log's tables, beside the ledger's (same database, same transaction as the events they
 * commit to). All append-only, like the canonical table: a rewritten log is something only a witness can
 * then notice — which is the point of having one.
 *
 * - `tlog_leaves`: leaf i of the tree is the i-th admitted event (RFC 9162 leaf hash of its canonical JSON);
 * - `tlog_nodes`: every complete aligned subtree hash (level 0 = the leaf hashes), hex; roots and proofs at
 *   any size are read from O(log n) of them (audit/tlog/proofs.ts);
 * - `tlog_checkpoints`: each signed checkpoint (C2SP signed note), by tree size;
 * - `tlog_cosignatures`: witnesses' cosignature lines, by tree size and witness;
 * - `tlog_witness_refusals`: what witnesses refused to cosign, and why (a self-audit alarm).
 */
import type { Dialect } from '../schema-sql.js';

export function logDdl(d: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS tlog_leaves (
      leaf_index BIGINT PRIMARY KEY,
      event_id TEXT NOT NULL UNIQUE,
      composition_id TEXT NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS tlog_leaves_composition ON tlog_leaves (composition_id)',
    `CREATE TABLE IF NOT EXISTS tlog_nodes (
      level INTEGER NOT NULL,
      node_index BIGINT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (level, node_index)
    )`,
    `CREATE TABLE IF NOT EXISTS tlog_checkpoints (
      tree_size BIGINT PRIMARY KEY,
      root TEXT NOT NULL,
      note TEXT NOT NULL,
      created_ms BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS tlog_cosignatures (
      tree_size BIGINT NOT NULL,
      witness TEXT NOT NULL,
      line TEXT NOT NULL,
      received_ms BIGINT NOT NULL,
      PRIMARY KEY (tree_size, witness)
    )`,
    `CREATE TABLE IF NOT EXISTS tlog_witness_refusals (
      id ${d.serial},
      witness TEXT NOT NULL,
      reason TEXT NOT NULL,
      old_size BIGINT NOT NULL,
      new_size BIGINT NOT NULL,
      detail TEXT NOT NULL,
      body TEXT NOT NULL,
      received_ms BIGINT NOT NULL
    )`,
    ...['tlog_leaves', 'tlog_nodes', 'tlog_checkpoints', 'tlog_cosignatures', 'tlog_witness_refusals'].flatMap((t) => d.appendOnly(t)),
  ];
}
