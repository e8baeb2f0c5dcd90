// The self-audit's arithmetic against an in-memory SQLite ledger and a scripted Temporal side (the real
// Temporal side is exercised in test/integration/ledger-self-audit.test.ts): delta, lag, the lag window,
// clearing. The same cases run on PostgreSQL in test/integration/ledger-postgres.test.ts.
import { openSqliteInMemory, selfAuditCases } from '../../helpers/ledger-store-cases.js';

selfAuditCases(openSqliteInMemory);
