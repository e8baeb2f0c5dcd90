// The stream's store read (LedgerStore.admitted, ledger/admitted.ts) on a real PostgreSQL server gives the
// same rows as on SQLite for the same admissions: the same positions (the log's leaf index + 1), bodies,
// ingest times and emitter signatures, filtered and windowed (after / through / limit) alike.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AdmittedQuery } from '../../ledger/admitted.js';
import { openLedgerStore } from '../../ledger/open-store.js';
import { SqliteLedgerStore } from '../../ledger/sqlite-store.js';
import type { LedgerStore } from '../../ledger/store.js';
import { CMP_B } from '../helpers/audit-streams.js';
import { CMP_C, ingestInto, QUERY_STREAMS } from '../helpers/ledger-query-cases.js';
import { createDatabase, startPostgres, type PostgresServer } from '../helpers/postgres.js';

let server: PostgresServer;
let postgres: LedgerStore;
const sqlite = SqliteLedgerStore.open(':memory:');

before(async () => {
  server = await startPostgres();
  postgres = await openLedgerStore(await createDatabase(server.url));
  assert.equal(postgres.kind, 'postgres');
  const { A, B, C } = QUERY_STREAMS;
  for (const [events, now] of [[A, 1_000], [C, 2_000], [B, 3_000]] as const) {
    await ingestInto(sqlite, [...events], now);
    await ingestInto(postgres, [...events], now);
  }
});
after(async () => {
  await postgres?.close();
  await sqlite.close();
  await server?.stop();
});

test('admitted rows: the same on PostgreSQL as on SQLite, for every window and filter', async () => {
  const queries: AdmittedQuery[] = [
    { after: 0, limit: 1000 },
    { after: 5, through: 20, limit: 1000 },
    { after: 0, limit: 4 },
    { after: 3, composition_id: CMP_C, limit: 1000 },
    { after: 0, composition_id: CMP_B, schema_id: 'composition.leased.v1', limit: 1000 },
    { after: 0, actor_type: 'human', abac_outcome: 'ALLOW', limit: 1000 },
    { after: 27, limit: 1000 },
  ];
  const all = await postgres.admitted(queries[0]!);
  assert.equal(all.length, 27);
  assert.deepEqual(all.map((r) => r.position), Array.from({ length: 27 }, (_, i) => i + 1), 'positions 1..n with no gap');
  assert.equal(await postgres.log.size(), 27, 'the newest position is the log size');
  for (const q of queries) assert.deepEqual(await postgres.admitted(q), await sqlite.admitted(q), JSON.stringify(q));
  assert.ok(all.every((r) => r.emitter_kid && r.emitter_sig && typeof r.ingested_ms === 'number'));
});
