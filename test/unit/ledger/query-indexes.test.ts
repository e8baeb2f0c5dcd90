// Every query axis is answered from an index, never a scan of the table: each field the query schemas
// accept (ledger/query-schema.ts), alone, is planned by SQLite as an index search. (PostgreSQL has the same
// indexes, from the same DDL in ledger/schema-sql.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { eventFilterSchema, eventWhere, quarantineFilterSchema, quarantineWhere, type EventQuery, type QuarantineQuery } from '../../../ledger/query.js';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';

const SAMPLES: Record<string, unknown> = {
  actor_type: 'human',
  abac_outcome: 'DENY',
  entity_ref_field: 'lens_id',
  reason: 'sequence_gap',
  since: 1,
  until: 1,
  ingested_since: 1,
  ingested_until: 1,
};

const store = SqliteLedgerStore.open(':memory:');
const db = (store as unknown as { db: Database.Database }).db;
const plan = (sql: string, params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

test('each event filter is an index search', () => {
  for (const field of Object.keys(eventFilterSchema.shape)) {
    const where = eventWhere({ limit: 1, [field]: SAMPLES[field] ?? 'x' } as EventQuery);
    const detail = plan(`SELECT body FROM ledger_events ${where.sql} ORDER BY composition_id, sequence LIMIT 2`, where.params);
    assert.match(detail, /SEARCH ledger_events USING (INDEX|PRIMARY KEY)/, `${field}: ${detail}`);
    assert.doesNotMatch(detail, /SCAN/, `${field}: ${detail}`);
  }
});

test('each quarantine filter has an index the query can use', () => {
  // the cursor's id bound is always there, so on an empty table the planner prefers the rowid: INDEXED BY
  // makes SQLite use the field's index, and fails the statement if that index cannot serve the query
  const INDEX: Record<string, string> = {
    reason: 'ledger_quarantine_reason',
    composition_id: 'ledger_quarantine_composition',
    event_id: 'ledger_quarantine_event',
    ingested_since: 'ledger_quarantine_ingested',
    ingested_until: 'ledger_quarantine_ingested',
  };
  assert.deepEqual(Object.keys(quarantineFilterSchema.shape).sort(), Object.keys(INDEX).sort());
  for (const [field, index] of Object.entries(INDEX)) {
    const where = quarantineWhere({ limit: 1, [field]: SAMPLES[field] ?? 'x' } as QuarantineQuery);
    const detail = plan(`SELECT * FROM ledger_quarantine INDEXED BY ${index} ${where.sql} ORDER BY id LIMIT 2`, where.params);
    assert.match(detail, new RegExp(`USING INDEX ${index}`), `${field}: ${detail}`);
  }
});
