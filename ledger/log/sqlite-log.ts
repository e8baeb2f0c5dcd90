/** The log's tables in the SQLite ledger store (synchronous: called inside the store's own transactions). */
import type Database from 'better-sqlite3';
import { peakIds, type NodeId } from '../../audit/tlog/merkle.js';
import type { CanonicalRow } from '../records.js';
import { logRowsFor, unhex } from './append.js';
import type { CheckpointRow, CosignatureRow, LogStore, WitnessRefusalRow } from './rows.js';

export class SqliteLogStore implements LogStore {
  private readonly nodeStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.nodeStmt = db.prepare('SELECT hash FROM tlog_nodes WHERE level = ? AND node_index = ?');
  }

  private sizeNow(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(leaf_index) + 1, 0) AS n FROM tlog_leaves').get() as { n: number }).n;
  }

  private hexNodes(ids: readonly NodeId[]): string[] {
    return ids.map((id) => {
      const row = this.nodeStmt.get(id.level, id.index) as { hash: string } | undefined;
      if (!row) throw new Error(`the log has no node (${id.level}, ${id.index})`);
      return row.hash;
    });
  }

  /** Appends `accepted` to the tree; the caller holds the write transaction (BEGIN IMMEDIATE). */
  appendInTransaction(accepted: readonly CanonicalRow[]): void {
    if (accepted.length === 0) return;
    const size = this.sizeNow();
    const { leaves, nodes } = logRowsFor(size, this.hexNodes(peakIds(size)), accepted);
    const leaf = this.db.prepare('INSERT INTO tlog_leaves (leaf_index, event_id, composition_id) VALUES (@leaf_index, @event_id, @composition_id)');
    const node = this.db.prepare('INSERT INTO tlog_nodes (level, node_index, hash) VALUES (@level, @node_index, @hash)');
    for (const l of leaves) leaf.run(l);
    for (const n of nodes) node.run(n);
  }

  /** Events admitted before the log existed become its first leaves, in the order they were admitted (rowid). */
  backfillInTransaction(): void {
    if (this.sizeNow() > 0) return;
    const rows = this.db.prepare('SELECT composition_id, event_id, body FROM ledger_events ORDER BY rowid').all() as CanonicalRow[];
    this.appendInTransaction(rows);
  }

  async size(): Promise<number> {
    return this.sizeNow();
  }

  nodes(ids: readonly NodeId[]): Uint8Array[] {
    return this.hexNodes(ids).map(unhex);
  }

  async leafIndex(eventId: string): Promise<number | undefined> {
    return (this.db.prepare('SELECT leaf_index FROM tlog_leaves WHERE event_id = ?').get(eventId) as { leaf_index: number } | undefined)?.leaf_index;
  }

  async checkpoint(size?: number): Promise<CheckpointRow | undefined> {
    const sql = size === undefined ? 'SELECT * FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1' : 'SELECT * FROM tlog_checkpoints WHERE tree_size = ?';
    return this.db.prepare(sql).get(...(size === undefined ? [] : [size])) as CheckpointRow | undefined;
  }

  async checkpointBefore(size: number): Promise<CheckpointRow | undefined> {
    return this.db.prepare('SELECT * FROM tlog_checkpoints WHERE tree_size < ? ORDER BY tree_size DESC LIMIT 1').get(size) as CheckpointRow | undefined;
  }

  async addCheckpoint(row: CheckpointRow): Promise<void> {
    this.db.prepare('INSERT INTO tlog_checkpoints (tree_size, root, note, created_ms) VALUES (@tree_size, @root, @note, @created_ms) ON CONFLICT (tree_size) DO NOTHING').run(row);
  }

  async cosignatures(size: number): Promise<CosignatureRow[]> {
    return this.db.prepare('SELECT * FROM tlog_cosignatures WHERE tree_size = ? ORDER BY witness').all(size) as CosignatureRow[];
  }

  async addCosignature(row: CosignatureRow): Promise<void> {
    this.db
      .prepare('INSERT INTO tlog_cosignatures (tree_size, witness, line, received_ms) VALUES (@tree_size, @witness, @line, @received_ms) ON CONFLICT (tree_size, witness) DO NOTHING')
      .run(row);
  }

  async lastCosignature(witness: string): Promise<CosignatureRow | undefined> {
    return this.db.prepare('SELECT * FROM tlog_cosignatures WHERE witness = ? ORDER BY received_ms DESC LIMIT 1').get(witness) as CosignatureRow | undefined;
  }

  async addRefusal(row: WitnessRefusalRow): Promise<void> {
    this.db
      .prepare('INSERT INTO tlog_witness_refusals (witness, reason, old_size, new_size, detail, body, received_ms) VALUES (@witness, @reason, @old_size, @new_size, @detail, @body, @received_ms)')
      .run(row);
  }

  async refusals(sinceMs = 0): Promise<WitnessRefusalRow[]> {
    return this.db.prepare('SELECT witness, reason, old_size, new_size, detail, body, received_ms FROM tlog_witness_refusals WHERE received_ms >= ? ORDER BY id').all(sinceMs) as WitnessRefusalRow[];
  }
}
