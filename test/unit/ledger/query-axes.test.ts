// The ledger's query axes (test/helpers/ledger-query-cases.ts) on SQLite: in memory, and a database file
// taken back to the schema from before them and opened again. The same cases run against a real
// PostgreSQL in test/integration/ledger-postgres.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';
import { ledgerMigrationCase, ledgerQueryCases } from '../../helpers/ledger-query-cases.js';
import { openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

ledgerQueryCases(openSqliteInMemory);

ledgerMigrationCase(async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ledger-axes-')), 'ledger.db');
  const store = SqliteLedgerStore.open(path);
  const db = (store as unknown as { db: Database.Database }).db;
  return {
    store,
    exec: async (sql) => {
      db.exec(sql);
    },
    reopen: async () => SqliteLedgerStore.open(path),
  };
});
