/** The default ledger store: one SQLite file (WAL, so the gateway and CLI read while the ledger writes). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { SqliteLogStore } from './log/sqlite-log.js';
import { federationDdl } from './federation/schema.js';
import { SqliteFederationStore } from './federation/sqlite-federation.js';

const sqlite: Dialect = {
  serial: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  binaryText: 'TEXT',
  appendOnly: (table) =>
    ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER IF NOT EXISTS ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
    ),
};

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';

  readonly log: SqliteLogStore;

  readonly federation: SqliteFederationStore;

  private constructor(private readonly db: Database.Database) {
    this.log = new SqliteLogStore(db);
    this.federation = new SqliteFederationStore(db);
  }

  static open(path: string, opts: { readonly?: boolean } = {}): SqliteLedgerStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: a committed batch survives power loss, which is what lets the consumer commit offsets after it
      db.pragma('synchronous = FULL');
      db.transaction(() => {
        [...ledgerDdl(sqlite), ...logDdl(sqlite), ...federationDdl(sqlite)].forEach((sql) => db.exec(sql));
        for (const { table, column, type } of ADDED_COLUMNS) {
          const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
          if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
        }
        LEDGER_INDEXES.forEach((sql) => db.exec(sql));
        if (!db.prepare(KEYS_PRESENT_SQL).get()) {
          const insertKey = db.prepare(`INSERT INTO ${INSERT_KEY_COLUMNS} VALUES (@composition_id, @sequence, @axis, @value)`);
          for (const key of keysOf(db.prepare(KEY_SOURCE_SQL).all() as { composition_id: string; sequence: number; body: string }[])) insertKey.run(key);
        }
      })();
    }
    const store = new SqliteLedgerStore(db);
    if (!opts.readonly) db.transaction(() => store.log.backfillInTransaction()).immediate();
    return store;
  }

  async positions(topic: string): Promise<Map<number, bigint>> {
    const rows = this.db.prepare('SELECT partition, next_offset FROM ledger_positions WHERE topic = ?').all(topic) as { partition: number; next_offset: string }[];
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  }

  async heads(compositionIds: readonly string[]): Promise<Map<string, LedgerHead>> {
    const stmt = this.db.prepare(`SELECT ${HEAD_COLUMNS} FROM ledger_events WHERE composition_id = ? ORDER BY sequence DESC LIMIT 1`);
    const heads = new Map<string, LedgerHead>();
    for (const id of compositionIds) {
      const row = stmt.get(id) as LedgerHead | undefined;
      if (row) heads.set(id, row);
    }
    return heads;
  }

  async hashAt(compositionId: string, sequence: number): Promise<string | undefined> {
    const row = this.db.prepare('SELECT this_hash FROM ledger_events WHERE composition_id = ? AND sequence = ?').get(compositionId, sequence) as { this_hash: string } | undefined;
    return row?.this_hash;
  }

  async commit(batch: IngestBatch): Promise<void> {
    const insertEvent = this.db.prepare(`INSERT INTO ledger_events
      (composition_id, sequence, event_id, schema_id, ts_utc, ts_ms, actor_type, actor_id, issuer, abac_outcome, prev_hash, this_hash, body, src_topic, src_partition, src_offset, emitter_kid, emitter_sig, ingested_ms)
      VALUES (@composition_id, @sequence, @event_id, @schema_id, @ts_utc, @ts_ms, @actor_type, @actor_id, @issuer, @abac_outcome, @prev_hash, @this_hash, @body, @topic, @partition, @offset, @emitter_kid, @emitter_sig, @ingested_ms)`);
    const insertKey = this.db.prepare(`INSERT INTO ${INSERT_KEY_COLUMNS} VALUES (@composition_id, @sequence, @axis, @value)`);
    // the same message redelivered after a crash is quarantined once
    const insertQuarantine = this.db.prepare(`INSERT INTO ledger_quarantine
      (reason, detail, composition_id, event_id, schema_id, this_hash, body, src_topic, src_partition, src_offset, ingested_ms)
      VALUES (@reason, @detail, @composition_id, @event_id, @schema_id, @this_hash, @body, @topic, @partition, @offset, @ingested_ms)
      ON CONFLICT (src_topic, src_partition, src_offset) DO NOTHING`);
    const upsertPosition = this.db.prepare(`INSERT INTO ledger_positions (topic, partition, next_offset) VALUES (?, ?, ?)
      ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`);
    const ingested_ms = batch.ingested_ms ?? Date.now();
    // IMMEDIATE: the write lock is taken first, so the log's size and peaks read below are the latest
    this.db.transaction(() => {
      for (const row of batch.accepted) insertEvent.run({ ...row, ...row.source, source: undefined, ingested_ms });
      for (const key of keysOf(batch.accepted)) insertKey.run(key);
      this.log.appendInTransaction(batch.accepted);
      for (const row of batch.quarantined) insertQuarantine.run({ ...row, ...row.source, source: undefined, ingested_ms });
      for (const p of batch.positions) upsertPosition.run(p.topic, p.partition, p.next_offset);
    }).immediate();
  }

  async recentHeads(sinceMs?: number): Promise<LedgerHead[]> {
    // the head is the row with the highest sequence of its composition
    const sql = `SELECT ${HEAD_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM ledger_events e
      JOIN (SELECT composition_id, MAX(sequence) AS sequence FROM ledger_events GROUP BY composition_id) h
        ON e.composition_id = h.composition_id AND e.sequence = h.sequence
      ${sinceMs === undefined ? '' : 'WHERE e.ts_ms >= ?'} ORDER BY e.composition_id`;
    return this.db.prepare(sql).all(...(sinceMs === undefined ? [] : [sinceMs])) as LedgerHead[];
  }

  async events(query: EventQuery): Promise<EventPage> {
    const where = eventWhere(query);
    const rows = this.db
      .prepare(`SELECT composition_id, sequence, body FROM ledger_events ${where.sql} ORDER BY composition_id, sequence LIMIT ?`)
      .all(...where.params, query.limit + 1) as { composition_id: string; sequence: number; body: string }[];
    return eventPage(rows, query.limit);
  }

  async emitterSignatures(compositionId: string): Promise<Map<string, EmitterSignature>> {
    return signatureMap(this.db.prepare(SIGNATURES_SQL).all(compositionId) as SignatureRow[]);
  }

  async compositionIds(filter: EventFilter): Promise<string[]> {
    const where = eventWhere({ ...filter, limit: 0 });
    const rows = this.db.prepare(`SELECT DISTINCT composition_id FROM ledger_events ${where.sql} ORDER BY composition_id`).all(...where.params) as { composition_id: string }[];
    return rows.map((r) => r.composition_id);
  }

  async quarantine(query: QuarantineQuery): Promise<QuarantinePage> {
    const where = quarantineWhere(query);
    const rows = this.db.prepare(`SELECT * FROM ledger_quarantine ${where.sql} ORDER BY id LIMIT ?`).all(...where.params, query.limit + 1) as QuarantineDbRow[];
    const page = rows.slice(0, query.limit).map(quarantineEntry);
    return { entries: page, next_cursor: rows.length > query.limit ? encodeCursor(page.at(-1)!.id) : null };
  }

  async admitted(query: AdmittedQuery): Promise<AdmittedRow[]> {
    const { sql, params } = admittedSql(query);
    return this.db.prepare(sql).all(...params) as AdmittedRow[];
  }

  async counts(): Promise<LedgerCounts> {
    const events = this.db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT composition_id) AS c FROM ledger_events').get() as { n: number; c: number };
    const quarantined = this.db.prepare('SELECT COUNT(*) AS n FROM ledger_quarantine').get() as { n: number };
    return { events: events.n, compositions: events.c, quarantined: quarantined.n };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
