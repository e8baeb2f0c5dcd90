/**
 * The ledger on PostgreSQL (`COORD_LEDGER_URL=postgres://…`), for users who outgrow one node: the same
 * tables and append-only triggers as SQLite, the same queries with numbered placeholders.
 */
import pg from 'pg';
import { eventPage, eventWhere, encodeCursor, quarantineWhere, type EventFilter, type EventPage, type EventQuery, type QuarantinePage, type QuarantineQuery } from './query.js';
import type { LedgerHead } from './records.js';
import { HEAD_COLUMNS, ledgerDdl, type Dialect } from './schema-sql.js';
import type { IngestBatch, LedgerCounts, LedgerStore } from './store.js';
import { quarantineEntry, type QuarantineDbRow } from './store-rows.js';

const postgres: Dialect = {
  serial: 'BIGSERIAL PRIMARY KEY',
  binaryText: 'TEXT COLLATE "C"',
  appendOnly: (table) => [
    `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
    `DROP TRIGGER IF EXISTS ${table}_no_change ON ${table}`,
    `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
  ],
};

/** `?` placeholders → `$1, $2, …` */
const numbered = (sql: string): string => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

// BIGINT columns come back as strings by default; ts_ms and counts fit a double
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export class PostgresLedgerStore implements LedgerStore {
  readonly kind = 'postgres';

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresLedgerStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const client = await pool.connect();
    try {
      // one migrator at a time: several ledger processes may start together
      await client.query('SELECT pg_advisory_lock(424242)');
      for (const sql of ledgerDdl(postgres)) await client.query(sql);
    } finally {
      await client.query('SELECT pg_advisory_unlock(424242)').catch(() => undefined);
      client.release();
    }
    return new PostgresLedgerStore(pool);
  }

  private async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(numbered(sql), params)).rows as T[];
  }

  async positions(topic: string): Promise<Map<number, bigint>> {
    const rows = await this.rows<{ partition: number; next_offset: string }>('SELECT partition, next_offset FROM ledger_positions WHERE topic = ?', [topic]);
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  async heads(compositionIds: readonly string[]): Promise<Map<string, LedgerHead>> {
    if (compositionIds.length === 0) return new Map();
    const rows = await this.rows<LedgerHead>(
      `SELECT DISTINCT ON (composition_id) ${HEAD_COLUMNS} FROM ledger_events WHERE composition_id = ANY(?) ORDER BY composition_id, sequence DESC`,
      [compositionIds],
    );
    return new Map(rows.map((r) => [r.composition_id, r]));
  }

  async hashAt(compositionId: string, sequence: number): Promise<string | undefined> {
    const [row] = await this.rows<{ this_hash: string }>('SELECT this_hash FROM ledger_events WHERE composition_id = ? AND sequence = ?', [compositionId, sequence]);
    return row?.this_hash;
  }

  async commit(batch: IngestBatch): Promise<void> {
    const client = await this.pool.connect();
    const q = (sql: string, params: unknown[]) => client.query(numbered(sql), params);
    try {
      await q('BEGIN', []);
      for (const r of batch.accepted) {
        await q(
          `INSERT INTO ledger_events (composition_id, sequence, event_id, schema_id, ts_utc, ts_ms, actor_type, actor_id, issuer, abac_outcome, prev_hash, this_hash, body, src_topic, src_partition, src_offset)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [r.composition_id, r.sequence, r.event_id, r.schema_id, r.ts_utc, r.ts_ms, r.actor_type, r.actor_id, r.issuer, r.abac_outcome, r.prev_hash, r.this_hash, r.body, r.source.topic, r.source.partition, r.source.offset],
        );
      }
      for (const r of batch.quarantined) {
        await q(
          `INSERT INTO ledger_quarantine (reason, detail, composition_id, event_id, schema_id, this_hash, body, src_topic, src_partition, src_offset)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (src_topic, src_partition, src_offset) DO NOTHING`,
          [r.reason, r.detail, r.composition_id, r.event_id, r.schema_id, r.this_hash, r.body, r.source.topic, r.source.partition, r.source.offset],
        );
      }
      for (const p of batch.positions) {
        await q('INSERT INTO ledger_positions (topic, partition, next_offset) VALUES (?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset', [
          p.topic,
          p.partition,
          p.next_offset,
        ]);
      }
      await q('COMMIT', []);
    } catch (err) {
      await q('ROLLBACK', []).catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async recentHeads(sinceMs?: number): Promise<LedgerHead[]> {
    const heads = await this.rows<LedgerHead & { ts_ms: number }>(`SELECT DISTINCT ON (composition_id) ${HEAD_COLUMNS}, ts_ms FROM ledger_events ORDER BY composition_id, sequence DESC`);
    return heads.filter((h) => sinceMs === undefined || h.ts_ms >= sinceMs).map(({ ts_ms: _ts, ...head }) => head);
  }

  async events(query: EventQuery): Promise<EventPage> {
    const where = eventWhere(query);
    const rows = await this.rows<{ composition_id: string; sequence: number; body: string }>(
      `SELECT composition_id, sequence, body FROM ledger_events ${where.sql} ORDER BY composition_id, sequence LIMIT ?`,
      [...where.params, query.limit + 1],
    );
    return eventPage(rows, query.limit);
  }

  async compositionIds(filter: EventFilter): Promise<string[]> {
    const where = eventWhere({ ...filter, limit: 0 });
    const rows = await this.rows<{ composition_id: string }>(`SELECT DISTINCT composition_id FROM ledger_events ${where.sql} ORDER BY composition_id`, where.params);
    return rows.map((r) => r.composition_id);
  }

  async quarantine(query: QuarantineQuery): Promise<QuarantinePage> {
    const where = quarantineWhere(query);
    const rows = await this.rows<QuarantineDbRow>(`SELECT * FROM ledger_quarantine ${where.sql} ORDER BY id LIMIT ?`, [...where.params, query.limit + 1]);
    const page = rows.slice(0, query.limit).map(quarantineEntry);
    return { entries: page, next_cursor: rows.length > query.limit ? encodeCursor(page.at(-1)!.id) : null };
  }

  async counts(): Promise<LedgerCounts> {
    const [e] = await this.rows<{ n: number; c: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT composition_id) AS c FROM ledger_events');
    const [qr] = await this.rows<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_quarantine');
    return { events: e!.n, compositions: e!.c, quarantined: qr!.n };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
