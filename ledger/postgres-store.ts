/**
 * The ledger on PostgreSQL (`COORD_LEDGER_URL=postgres://…`), for users who outgrow one node: the same
 * tables and append-only triggers as SQLite, the same queries with numbered placeholders.
 */
import pg from 'pg';
import { eventPage, eventWhere, encodeCursor, quarantineWhere, type EventFilter, type EventPage, type EventQuery, type QuarantinePage, type QuarantineQuery } from './query.js';
import type { LedgerHead } from './records.js';
import { ADDED_COLUMNS, HEAD_COLUMNS, LEDGER_INDEXES, ledgerDdl, type Dialect } from './schema-sql.js';
import { INSERT_KEY_COLUMNS, KEY_SOURCE_SQL, KEYS_PRESENT_SQL, keysOf } from './event-keys.js';
import { SIGNATURES_SQL, signatureMap, type IngestBatch, type LedgerCounts, type LedgerStore } from './store.js';
import type { EmitterSignature } from '../audit/emitter-signature.js';

type SignatureRow = Parameters<typeof signatureMap>[0][number];
import { quarantineEntry, type QuarantineDbRow } from './store-rows.js';
import { admittedSql, type AdmittedQuery, type AdmittedRow } from './admitted.js';
import { logDdl } from './log/schema.js';
import { PostgresLogStore } from './log/postgres-log.js';
import { federationDdl } from './federation/schema.js';
import { PostgresFederationStore } from './federation/postgres-federation.js';
import { ignoreError, insertMany, numbered, transaction, types } from './pg-sql.js';

const postgres: Dialect = {
  serial: 'BIGSERIAL PRIMARY KEY',
  binaryText: 'TEXT COLLATE "C"',
  appendOnly: (table) => [
    `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
    // created when missing, never dropped and recreated: the table is never without them, and opening a
    // store takes no lock that would wait for readers (DROP TRIGGER takes ACCESS EXCLUSIVE). Row triggers
    // do not fire on TRUNCATE: a statement trigger refuses it.
    `DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${table}'::regclass AND tgname = '${table}_no_change') THEN
        CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${table}'::regclass AND tgname = '${table}_no_truncate') THEN
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only();
      END IF;
    END $$`,
  ],
};

/** Held by whoever migrates, for the length of its transaction: the ledger process and the CLI may open at once. */
const MIGRATION_LOCK = 424242;

export class PostgresLedgerStore implements LedgerStore {
  readonly kind = 'postgres';

  readonly log: PostgresLogStore;

  readonly federation: PostgresFederationStore;

  private constructor(private readonly pool: pg.Pool) {
    this.log = new PostgresLogStore(pool);
    this.federation = new PostgresFederationStore(pool);
  }

  static async open(url: string): Promise<PostgresLedgerStore> {
    const pool = new pg.Pool({ connectionString: url, max: 4, types });
    // an idle connection that breaks is dropped by the pool and replaced on the next query
    pool.on('error', ignoreError);
    try {
      await PostgresLedgerStore.migrate(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresLedgerStore(pool);
  }

  /** Creates what is missing, in one transaction: other sessions see all of the schema or none of it. */
  private static async migrate(pool: pg.Pool): Promise<void> {
    // READ COMMITTED whatever the server's default: each statement must see what a migrator before us committed
    await transaction(pool, 'BEGIN ISOLATION LEVEL READ COMMITTED', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      for (const sql of ledgerDdl(postgres)) await client.query(sql);
      // ALTER TABLE takes an ACCESS EXCLUSIVE lock even when the column exists (IF NOT EXISTS is checked under
      // it), which would wait for every reader: look first, alter only a table that lacks the column.
      for (const { table, column, type } of ADDED_COLUMNS) {
        const { rowCount } = await client.query('SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2', [table, column]);
        if (!rowCount) await client.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
      for (const sql of LEDGER_INDEXES) await client.query(sql);
      if (!(await client.query(KEYS_PRESENT_SQL)).rowCount) {
        const { rows } = await client.query<{ composition_id: string; sequence: number; body: string }>(KEY_SOURCE_SQL);
        await insertMany(client, INSERT_KEY_COLUMNS, keysOf(rows).map((k) => [k.composition_id, k.sequence, k.axis, k.value]));
      }
      for (const sql of logDdl(postgres)) await client.query(sql);
      for (const sql of federationDdl(postgres)) await client.query(sql);
      await PostgresLogStore.backfillInTransaction(client);
    });
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
    const ingested = batch.ingested_ms ?? Date.now();
    await transaction(this.pool, 'BEGIN', async (client) => {
      await insertMany(
        client,
        'ledger_events (composition_id, sequence, event_id, schema_id, ts_utc, ts_ms, actor_type, actor_id, issuer, abac_outcome, prev_hash, this_hash, body, src_topic, src_partition, src_offset, emitter_kid, emitter_sig, ingested_ms)',
        batch.accepted.map((r) => [r.composition_id, r.sequence, r.event_id, r.schema_id, r.ts_utc, r.ts_ms, r.actor_type, r.actor_id, r.issuer, r.abac_outcome, r.prev_hash, r.this_hash, r.body, r.source.topic, r.source.partition, r.source.offset, r.emitter_kid, r.emitter_sig, ingested]),
      );
      await insertMany(client, INSERT_KEY_COLUMNS, keysOf(batch.accepted).map((k) => [k.composition_id, k.sequence, k.axis, k.value]));
      await insertMany(
        client,
        'ledger_quarantine (reason, detail, composition_id, event_id, schema_id, this_hash, body, src_topic, src_partition, src_offset, ingested_ms)',
        batch.quarantined.map((r) => [r.reason, r.detail, r.composition_id, r.event_id, r.schema_id, r.this_hash, r.body, r.source.topic, r.source.partition, r.source.offset, ingested]),
        'ON CONFLICT (src_topic, src_partition, src_offset) DO NOTHING',
      );
      await PostgresLogStore.appendInTransaction(client, batch.accepted);
      // one row per partition; row by row because one statement may not update the same row twice
      for (const p of batch.positions) {
        await client.query(
          'INSERT INTO ledger_positions (topic, partition, next_offset) VALUES ($1, $2, $3) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
          [p.topic, p.partition, p.next_offset],
        );
      }
    });
  }

  async recentHeads(sinceMs?: number): Promise<LedgerHead[]> {
    // the head is the row with the highest sequence of its composition; the window applies to the head
    return this.rows<LedgerHead>(
      `SELECT ${HEAD_COLUMNS} FROM (SELECT DISTINCT ON (composition_id) ${HEAD_COLUMNS}, ts_ms FROM ledger_events ORDER BY composition_id, sequence DESC) h
       ${sinceMs === undefined ? '' : 'WHERE ts_ms >= ?'} ORDER BY composition_id`,
      sinceMs === undefined ? [] : [sinceMs],
    );
  }

  async events(query: EventQuery): Promise<EventPage> {
    const where = eventWhere(query);
    const rows = await this.rows<{ composition_id: string; sequence: number; body: string }>(
      `SELECT composition_id, sequence, body FROM ledger_events ${where.sql} ORDER BY composition_id, sequence LIMIT ?`,
      [...where.params, query.limit + 1],
    );
    return eventPage(rows, query.limit);
  }

  async emitterSignatures(compositionId: string): Promise<Map<string, EmitterSignature>> {
    return signatureMap(await this.rows<SignatureRow>(SIGNATURES_SQL, [compositionId]));
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

  async admitted(query: AdmittedQuery): Promise<AdmittedRow[]> {
    const { sql, params } = admittedSql(query);
    return this.rows<AdmittedRow>(sql, params);
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
