/**
 * The ledger's tables, in SQL both SQLite and PostgreSQL accept (the differences are passed in). The
 * canonical and quarantine tables are append-only by trigger: an UPDATE or DELETE is refused by the
 * database itself, not only by this code.
 */

export interface Dialect {
  /** an auto-incrementing integer primary key */
  serial: string;
  /** text compared byte by byte, so keyset pages and ORDER BY agree on every database */
  binaryText: string;
  /** statements that make `table` refuse UPDATE and DELETE */
  appendOnly(table: string): string[];
}

export function ledgerDdl(d: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ledger_events (
      composition_id ${d.binaryText} NOT NULL,
      sequence INTEGER NOT NULL,
      event_id TEXT NOT NULL UNIQUE,
      schema_id TEXT NOT NULL,
      ts_utc TEXT NOT NULL,
      ts_ms BIGINT NOT NULL,
      actor_type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      issuer TEXT,
      abac_outcome TEXT,
      prev_hash TEXT,
      this_hash TEXT NOT NULL,
      body TEXT NOT NULL,
      src_topic TEXT NOT NULL,
      src_partition INTEGER NOT NULL,
      src_offset TEXT NOT NULL,
      emitter_kid TEXT,
      emitter_sig TEXT,
      ingested_ms BIGINT,
      PRIMARY KEY (composition_id, sequence)
    )`,
    `CREATE TABLE IF NOT EXISTS ledger_quarantine (
      id ${d.serial},
      reason TEXT NOT NULL,
      detail TEXT NOT NULL,
      composition_id TEXT,
      event_id TEXT,
      schema_id TEXT,
      this_hash TEXT,
      body TEXT NOT NULL,
      src_topic TEXT NOT NULL,
      src_partition INTEGER NOT NULL,
      src_offset TEXT NOT NULL,
      ingested_ms BIGINT,
      UNIQUE (src_topic, src_partition, src_offset)
    )`,
    // derived from each event's payload at ingest (ledger/event-keys.ts), in the event's transaction
    `CREATE TABLE IF NOT EXISTS ledger_event_keys (
      composition_id ${d.binaryText} NOT NULL,
      sequence INTEGER NOT NULL,
      axis TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (composition_id, sequence, axis)
    )`,
    // derived, rewritten as ingest advances: not part of the record
    `CREATE TABLE IF NOT EXISTS ledger_positions (
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      next_offset TEXT NOT NULL,
      PRIMARY KEY (topic, partition)
    )`,
    ...d.appendOnly('ledger_events'),
    ...d.appendOnly('ledger_quarantine'),
    ...d.appendOnly('ledger_event_keys'),
  ];
}

/**
 * One index per query axis (ledger/query.ts), created after ADDED_COLUMNS so that an index on an added
 * column finds it. Composition id and event id are covered by the primary key and the UNIQUE constraint.
 */
export const LEDGER_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS ledger_events_schema ON ledger_events (schema_id)',
  'CREATE INDEX IF NOT EXISTS ledger_events_actor ON ledger_events (actor_id)',
  'CREATE INDEX IF NOT EXISTS ledger_events_actor_type ON ledger_events (actor_type)',
  'CREATE INDEX IF NOT EXISTS ledger_events_issuer ON ledger_events (issuer)',
  'CREATE INDEX IF NOT EXISTS ledger_events_abac ON ledger_events (abac_outcome)',
  'CREATE INDEX IF NOT EXISTS ledger_events_ts ON ledger_events (ts_ms)',
  'CREATE INDEX IF NOT EXISTS ledger_events_this_hash ON ledger_events (this_hash)',
  'CREATE INDEX IF NOT EXISTS ledger_events_ingested ON ledger_events (ingested_ms)',
  'CREATE INDEX IF NOT EXISTS ledger_event_keys_axis ON ledger_event_keys (axis, value)',
  'CREATE INDEX IF NOT EXISTS ledger_quarantine_reason ON ledger_quarantine (reason)',
  'CREATE INDEX IF NOT EXISTS ledger_quarantine_composition ON ledger_quarantine (composition_id)',
  'CREATE INDEX IF NOT EXISTS ledger_quarantine_event ON ledger_quarantine (event_id)',
  'CREATE INDEX IF NOT EXISTS ledger_quarantine_ingested ON ledger_quarantine (ingested_ms)',
];

/**
 * Columns added after a table was first created: a store opened on an older database adds them (NULL in
 * the rows it already held). `ledger_events.emitter_*`: events admitted before emitter signatures existed
 * carry none. `ingested_ms` (when the row was committed, epoch ms): rows admitted before it existed have
 * none and the append-only triggers forbid filling it in, so they never match an ingest-time filter.
 */
export const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: 'ledger_events', column: 'emitter_kid', type: 'TEXT' },
  { table: 'ledger_events', column: 'emitter_sig', type: 'TEXT' },
  { table: 'ledger_events', column: 'ingested_ms', type: 'BIGINT' },
  { table: 'ledger_quarantine', column: 'ingested_ms', type: 'BIGINT' },
];

export const HEAD_COLUMNS = 'composition_id, sequence, event_id, this_hash, ts_utc';
