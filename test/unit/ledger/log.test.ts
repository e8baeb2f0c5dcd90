// The transparency log over an in-memory SQLite ledger: checkpoints, proofs, witnesses' cosignatures and
// refusals. The same cases run on PostgreSQL in test/integration/ledger-postgres.test.ts.
import { logCases, openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

logCases(openSqliteInMemory);
