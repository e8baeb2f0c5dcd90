/** The log's tables in the PostgreSQL ledger store. */
import type pg from 'pg';
import { peakIds, type NodeId } from '../../audit/tlog/merkle.js';
import { insertMany, numbered } from '../pg-sql.js';
import type { CanonicalRow } from '../records.js';
import { logRowsFor, unhex } from './append.js';
import type { CheckpointRow, CosignatureRow, LogStore, WitnessRefusalRow } from './rows.js';

/** Held by a commit that appends to the log, for the length of its transaction: one tree, one writer at a time. */
const LOG_APPEND_LOCK = 424243;

type Query = (client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => Promise<unknown[]>;
const query: Query = async (client, sql, params = []) => (await client.query(numbered(sql), params)).rows as unknown[];

async function sizeOf(client: pg.Pool | pg.PoolClient): Promise<number> {
  const [row] = (await query(client, 'SELECT COALESCE(MAX(leaf_index) + 1, 0) AS n FROM tlog_leaves')) as { n: number }[];
  return row!.n;
}

/** The hashes (hex) of `ids`, in order, in one query. */
async function hexNodes(client: pg.Pool | pg.PoolClient, ids: readonly NodeId[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = (await query(
    client,
    'SELECT n.level, n.node_index, n.hash FROM tlog_nodes n JOIN unnest(?::int[], ?::bigint[]) AS w(level, node_index) USING (level, node_index)',
    [ids.map((i) => i.level), ids.map((i) => i.index)],
  )) as { level: number; node_index: number; hash: string }[];
  const byId = new Map(rows.map((r) => [`${r.level}:${r.node_index}`, r.hash]));
  return ids.map((id) => {
    const hash = byId.get(`${id.level}:${id.index}`);
    if (hash === undefined) throw new Error(`the log has no node (${id.level}, ${id.index})`);
    return hash;
  });
}

export class PostgresLogStore implements LogStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Appends `accepted` to the tree inside the caller's transaction, under the append lock. */
  static async appendInTransaction(client: pg.PoolClient, accepted: readonly CanonicalRow[]): Promise<void> {
    if (accepted.length === 0) return;
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOG_APPEND_LOCK]);
    const size = await sizeOf(client);
    const { leaves, nodes } = logRowsFor(size, await hexNodes(client, peakIds(size)), accepted);
    await insertMany(client, 'tlog_leaves (leaf_index, event_id, composition_id)', leaves.map((l) => [l.leaf_index, l.event_id, l.composition_id]));
    await insertMany(client, 'tlog_nodes (level, node_index, hash)', nodes.map((n) => [n.level, n.node_index, n.hash]));
  }

  /** Events admitted before the log existed become its first leaves (in composition, then sequence order). */
  static async backfillInTransaction(client: pg.PoolClient): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOG_APPEND_LOCK]);
    if ((await sizeOf(client)) > 0) return;
    const rows = (await query(client, 'SELECT composition_id, event_id, body FROM ledger_events ORDER BY composition_id, sequence')) as CanonicalRow[];
    await PostgresLogStore.appendInTransaction(client, rows);
  }

  size(): Promise<number> {
    return sizeOf(this.pool);
  }

  async nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return (await hexNodes(this.pool, ids)).map(unhex);
  }

  async leafIndex(eventId: string): Promise<number | undefined> {
    const [row] = (await query(this.pool, 'SELECT leaf_index FROM tlog_leaves WHERE event_id = ?', [eventId])) as { leaf_index: number }[];
    return row?.leaf_index;
  }

  async checkpoint(size?: number): Promise<CheckpointRow | undefined> {
    const [row] = (await (size === undefined
      ? query(this.pool, 'SELECT * FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1')
      : query(this.pool, 'SELECT * FROM tlog_checkpoints WHERE tree_size = ?', [size]))) as CheckpointRow[];
    return row;
  }

  async checkpointBefore(size: number): Promise<CheckpointRow | undefined> {
    const [row] = (await query(this.pool, 'SELECT * FROM tlog_checkpoints WHERE tree_size < ? ORDER BY tree_size DESC LIMIT 1', [size])) as CheckpointRow[];
    return row;
  }

  async addCheckpoint(row: CheckpointRow): Promise<void> {
    await query(this.pool, 'INSERT INTO tlog_checkpoints (tree_size, root, note, created_ms) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING', [row.tree_size, row.root, row.note, row.created_ms]);
  }

  async cosignatures(size: number): Promise<CosignatureRow[]> {
    return (await query(this.pool, 'SELECT * FROM tlog_cosignatures WHERE tree_size = ? ORDER BY witness', [size])) as CosignatureRow[];
  }

  async addCosignature(row: CosignatureRow): Promise<void> {
    await query(this.pool, 'INSERT INTO tlog_cosignatures (tree_size, witness, line, received_ms) VALUES (?, ?, ?, ?) ON CONFLICT (tree_size, witness) DO NOTHING', [
      row.tree_size,
      row.witness,
      row.line,
      row.received_ms,
    ]);
  }

  async lastCosignature(witness: string): Promise<CosignatureRow | undefined> {
    const [row] = (await query(this.pool, 'SELECT * FROM tlog_cosignatures WHERE witness = ? ORDER BY received_ms DESC LIMIT 1', [witness])) as CosignatureRow[];
    return row;
  }

  async addRefusal(row: WitnessRefusalRow): Promise<void> {
    await query(this.pool, 'INSERT INTO tlog_witness_refusals (witness, reason, old_size, new_size, detail, body, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      row.witness,
      row.reason,
      row.old_size,
      row.new_size,
      row.detail,
      row.body,
      row.received_ms,
    ]);
  }

  async refusals(sinceMs = 0): Promise<WitnessRefusalRow[]> {
    return (await query(this.pool, 'SELECT witness, reason, old_size, new_size, detail, body, received_ms FROM tlog_witness_refusals WHERE received_ms >= ? ORDER BY id', [sinceMs])) as WitnessRefusalRow[];
  }
}
