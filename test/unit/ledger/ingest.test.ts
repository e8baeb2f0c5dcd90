// The ledger store's cases (test/helpers/ledger-store-cases.ts) on an in-memory SQLite store: idempotent
// ingest, every failure quarantined with its reason, rows append-only, a batch all or nothing, queries.
// The same cases run against a real PostgreSQL in test/integration/ledger-postgres.test.ts.
import { ledgerStoreCases, openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

ledgerStoreCases(openSqliteInMemory);
