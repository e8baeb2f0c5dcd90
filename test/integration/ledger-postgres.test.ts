// The ledger's PostgreSQL store against a real PostgreSQL server (test/helpers/postgres.ts): the same cases
// as the SQLite store (test/helpers/ledger-store-cases.ts, ledger-query-cases.ts, federation-store-cases.ts), each in a schema of its own, and what only a
// server shared by several processes raises: stores opening at once, TRUNCATE, connections cut.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type LedgerStore } from '../../ledger/store.js';
import { openLedgerStore, withLedgerStore } from '../../ledger/open-store.js';
import { within } from '../../lib/deadline.js';
import { CMP_A } from '../helpers/audit-streams.js';
import { ledgerStoreCases, logCases, selfAuditCases, type OpenStore } from '../helpers/ledger-store-cases.js';
import { federationStoreCases } from '../helpers/federation-store-cases.js';
import { ledgerMigrationCase, ledgerQueryCases } from '../helpers/ledger-query-cases.js';
import { waitFor } from '../helpers/wait.js';
import { createDatabase, createSchema, pgQuery, startPostgres, type PostgresServer } from '../helpers/postgres.js';

let server: PostgresServer;
/** the shared cases' database: each case gets a schema of its own there (a database takes far longer to create) */
let casesDb: string;
before(async () => {
  const t0 = Date.now();
  server = await startPostgres();
  console.log(`postgres ready in ${Date.now() - t0} ms`);
  casesDb = await createDatabase(server.url);
});
after(() => server?.stop());

const openInFreshSchema: OpenStore = async () => {
  const url = await createSchema(casesDb);
  const store = await openLedgerStore(url);
  assert.equal(store.kind, 'postgres');
  return {
    store,
    exec: async (text) => {
      await pgQuery(url, text);
    },
  };
};

describe('ledger store on PostgreSQL', () => ledgerStoreCases(openInFreshSchema));
describe('ledger query axes on PostgreSQL', () => {
  ledgerQueryCases(openInFreshSchema);
  ledgerMigrationCase(async () => {
    const url = await createSchema(casesDb);
    return {
      store: await openLedgerStore(url),
      exec: async (text) => {
        await pgQuery(url, text);
      },
      reopen: () => openLedgerStore(url),
    };
  });
});
describe('self-audit on a PostgreSQL ledger', () => selfAuditCases(openInFreshSchema));
describe('transparency log on a PostgreSQL ledger', () => logCases(openInFreshSchema));
describe('federation outbox on a PostgreSQL ledger', () => federationStoreCases(openInFreshSchema));

describe('PostgreSQL ledger shared by several processes', () => {
  const triggers = (url: string) =>
    pgQuery<{ tgname: string }>(url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'ledger_%' ORDER BY tgname");

  test('stores opened on one database at once migrate it once, and safely', async () => {
    const url = await createDatabase(server.url);
    const stores = await Promise.all(Array.from({ length: 6 }, () => openLedgerStore(url)));
    try {
      assert.deepEqual(
        (await triggers(url)).map((r) => r.tgname),
        ['ledger_event_keys_no_change', 'ledger_event_keys_no_truncate', 'ledger_events_no_change', 'ledger_events_no_truncate', 'ledger_quarantine_no_change', 'ledger_quarantine_no_truncate'],
      );
      await stores[0]!.commit({ accepted: [], quarantined: [], positions: [{ topic: 't', partition: 0, next_offset: '1' }] });
      assert.deepEqual(await stores[5]!.positions('t'), new Map([[0, 1n]]));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('opening a store does not wait for readers', async () => {
    const url = await createDatabase(server.url);
    const ledger = await openLedgerStore(url);
    // a long read (an export, say) holds its locks until it ends
    const reader = new pg.Client(url);
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM ledger_events');
      await reader.query('SELECT count(*) FROM ledger_quarantine');
      const cli = await within(openLedgerStore(url), 5000, 'opening a store waited for a reader');
      await cli.close();
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
      await ledger.close();
    }
  });

  test('opening a store leaves the append-only triggers in place all along', async () => {
    const url = await createDatabase(server.url);
    await withLedgerStore(async (ledger) => {
      const bad = { reason: 'invalid_event' as const, detail: 'x', composition_id: null, event_id: null, schema_id: null, this_hash: null, body: '{}' };
      await ledger.commit({ accepted: [], quarantined: [{ ...bad, source: { topic: 't', partition: 0, offset: '0' } }], positions: [] });
      const oids = () => pgQuery<{ oid: number }>(url, "SELECT oid::int FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'ledger_quarantine'::regclass ORDER BY oid");
      const before = await oids();
      // deletes racing other stores' migrations are refused, every one
      const opens: Promise<LedgerStore>[] = [];
      const deletes: Promise<string>[] = [];
      for (let i = 0; i < 5; i += 1) {
        opens.push(openLedgerStore(url));
        deletes.push(pgQuery(url, 'DELETE FROM ledger_quarantine').then(() => 'deleted', (err: Error) => err.message));
      }
      await Promise.all((await Promise.all(opens)).map((s) => s.close()));
      for (const outcome of await Promise.all(deletes)) assert.match(outcome, /append-only/);
      assert.deepEqual(await oids(), before, 'the same triggers: never dropped and created again');
      assert.equal((await ledger.counts()).quarantined, 1);
    }, url);
  });

  test('TRUNCATE is refused like DELETE', async () => {
    const url = await createSchema(casesDb);
    await withLedgerStore(async () => {
      await assert.rejects(pgQuery(url, 'TRUNCATE ledger_events'), /append-only/);
      await assert.rejects(pgQuery(url, 'TRUNCATE ledger_quarantine'), /append-only/);
    }, url);
  });

  test('bigint columns come back as numbers without changing how other pg users read them', async () => {
    const url = await createSchema(casesDb);
    await withLedgerStore(async (store) => {
      const [row] = await pgQuery<{ n: unknown }>(url, 'SELECT 9007199254740993::bigint AS n');
      assert.equal(row!.n, '9007199254740993', 'pg’s own default: exact, as a string');
      assert.deepEqual(await store.counts(), { events: 0, compositions: 0, quarantined: 0 });
    }, url);
  });

  test('a connection cut in the middle of a commit fails that commit, not the process', async () => {
    const url = await createSchema(casesDb);
    const store = await openLedgerStore(url);
    const blocker = new pg.Client(url);
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ledger_positions IN ACCESS EXCLUSIVE MODE');
      // expected at once: the rejection may come while the backend is still being terminated
      const refused = assert.rejects(store.commit({ accepted: [], quarantined: [], positions: [{ topic: 't', partition: 0, next_offset: '1' }] }), /terminat/);
      const waiting = `FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      await waitFor(async () => (await blocker.query<{ n: number }>(`SELECT count(*)::int AS n ${waiting}`)).rows[0]!.n === 1, { what: 'the commit to wait for the lock' });
      await blocker.query(`SELECT pg_terminate_backend(pid) ${waiting}`);
      await refused;
      await blocker.query('ROLLBACK');
      await store.commit({ accepted: [], quarantined: [], positions: [{ topic: 't', partition: 0, next_offset: '2' }] });
      assert.deepEqual(await store.positions('t'), new Map([[0, 2n]]), 'the next commit runs on a new connection');
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  test('an idle store survives its connections being cut (a server restart, a failover)', async () => {
    const url = await createDatabase(server.url);
    await withLedgerStore(async (store) => {
      await store.heads([CMP_A]); // leaves idle connections in the pool
      const others = `FROM pg_stat_activity WHERE datname = '${new URL(url).pathname.slice(1)}' AND pid <> pg_backend_pid()`;
      const cut = await pgQuery(server.url, `SELECT pg_terminate_backend(pid) ${others}`);
      assert.ok(cut.length > 0, 'the store had connections to cut');
      await waitFor(async () => (await pgQuery<{ n: number }>(server.url, `SELECT count(*)::int AS n ${others}`))[0]!.n === 0, { what: 'the backends to end' });
      assert.deepEqual(await store.counts(), { events: 0, compositions: 0, quarantined: 0 });
    }, url);
  });
});
