// GET /audit/events and /audit/quarantine on the ledger's newer axes (look-up by event id and hash,
// composition type, lease holder, entity references, ingest time; quarantine by event id and ingest time),
// over a real in-memory SQLite ledger. Every bad value — malformed, huge, repeated, unknown — is a 400
// ERR_BAD_REQUEST naming the field, before the ledger is asked; SQL metacharacters are plain data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { ingestInto, QUERY_STREAMS } from '../../helpers/ledger-query-cases.js';
import { bearer, fakeGateway, TOKENS, type FakeGateway } from './fakes.js';

const { A, C } = QUERY_STREAMS;
const ledger = SqliteLedgerStore.open(':memory:');
/** how many queries reached the ledger */
const asked = { n: 0 };
const counted = new Proxy(ledger, {
  get(target, prop) {
    const value = Reflect.get(target, prop) as unknown;
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      if (prop === 'events' || prop === 'quarantine') asked.n += 1;
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});
let gw: FakeGateway;

before(async () => {
  await ingestInto(ledger, [...A, { schema_id: 'nope', event_id: 'evt_refused' }], 1_000);
  await ingestInto(ledger, C, 2_000);
  gw = await fakeGateway({}, () => 'ALLOW', counted);
});
after(() => ledger.close());

const get = async (url: string) => {
  const res = await gw.app.inject({ method: 'GET', url, headers: bearer(TOKENS.auditor) });
  return { status: res.statusCode, body: res.json() as { events?: AuditEvent[]; entries?: { event_id: string | null; ingested_ms: number | null }[]; next_cursor: string | null; error?: { code: string; path: string; message: string } } };
};
const ids = (events: AuditEvent[] | undefined) => (events ?? []).map((e) => e.event_id);
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

test('one event by event_id or by this_hash', async () => {
  const byId = await get(`/audit/events?${q({ event_id: C[3]!.event_id })}`);
  assert.equal(byId.status, 200, JSON.stringify(byId.body));
  assert.deepEqual(byId.body.events, [C[3]]);
  const byHash = await get(`/audit/events?${q({ this_hash: A[8]!.this_hash })}`);
  assert.deepEqual(ids(byHash.body.events), [A[8]!.event_id]);
  assert.equal(byHash.body.next_cursor, null);
});

test('composition type, lease holder, entity reference and ingest time', async () => {
  assert.deepEqual(ids((await get(`/audit/events?${q({ composition_type: 'fusion_run' })}`)).body.events), ids(C));
  assert.deepEqual(ids((await get(`/audit/events?${q({ lease_holder: 'agent_vrs', schema_id: 'composition.requested.v1' })}`)).body.events), [A[0]!.event_id]);
  assert.deepEqual(ids((await get(`/audit/events?${q({ entity_ref: 'lens_fusion', entity_ref_field: 'lens_id', limit: '2' })}`)).body.events), [C[0]!.event_id, C[2]!.event_id]);
  assert.deepEqual(ids((await get(`/audit/events?${q({ ingested_since: new Date(2_000).toISOString() })}`)).body.events), ids(C));
  assert.deepEqual(ids((await get(`/audit/events?${q({ ingested_until: new Date(2_000).toISOString() })}`)).body.events), ids(A));
});

test('quarantine by event id and ingest time', async () => {
  const one = await get(`/audit/quarantine?${q({ event_id: 'evt_refused', reason: 'unknown_schema' })}`);
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual(one.body.entries!.map((e) => [e.event_id, e.ingested_ms]), [['evt_refused', 1_000]]);
  assert.deepEqual((await get(`/audit/quarantine?${q({ ingested_since: new Date(2_000).toISOString() })}`)).body.entries, []);
});

test('bad values: 400 ERR_BAD_REQUEST with the field path; the ledger is not asked', async () => {
  const askedBefore = asked.n;
  const cases: [string, string][] = [
    [q({ this_hash: 'sha256:XYZ' }), 'query.this_hash'],
    [q({ this_hash: `sha256:${'A'.repeat(64)}` }), 'query.this_hash'],
    [q({ entity_ref: 'x'.repeat(10_000) }), 'query.entity_ref'],
    [q({ composition_type: '' }), 'query.composition_type'],
    [q({ lease_holder: 'agent\u0000vrs' }), 'query.lease_holder'],
    [q({ entity_ref_field: 'password' }), 'query.entity_ref_field'],
    [q({ ingested_since: 'yesterday' }), 'query.ingested_since'],
    [q({ ingested_until: '9'.repeat(100) }), 'query.ingested_until'],
    ['event_id=evt_1&event_id=evt_2', 'query.event_id'],
    [q({ limit: '100000' }), 'query.limit'],
    [q({ cursor: 'c'.repeat(10_000) }), 'query.cursor'],
    [q({ lens_id: 'x' }), 'query'],
    [q({ view: 'bogus' }), 'query.view'],
    ['view=current&view=historical', 'query.view'],
  ];
  for (const [query, path] of cases) {
    const res = await get(`/audit/events?${query}`);
    assert.equal(res.status, 400, `${query.slice(0, 60)} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error!.code, 'ERR_BAD_REQUEST');
    assert.ok(res.body.error!.path.startsWith(path), `${res.body.error!.path} for ${query.slice(0, 60)}`);
  }
  for (const [query, path] of [
    [q({ reason: 'INCOMPLETE_PROVENANCE' }), 'query.reason'],
    [q({ event_id: 'e'.repeat(513) }), 'query.event_id'],
    [q({ ingested_since: 'not a time' }), 'query.ingested_since'],
    ['reason=unknown_schema&reason=sequence_gap', 'query.reason'],
  ]) {
    const res = await get(`/audit/quarantine?${query}`);
    assert.equal(res.status, 400, `${query} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error!.path, path);
  }
  assert.equal(asked.n, askedBefore);
});

test('SQL metacharacters are data: 200 and nothing found, the ledger unchanged', async () => {
  const before = await ledger.counts();
  for (const value of ["x' OR '1'='1", "'; DROP TABLE ledger_events; --", '%', '_', ') OR (1=1']) {
    for (const field of ['event_id', 'composition_type', 'lease_holder', 'entity_ref', 'composition_id']) {
      const res = await get(`/audit/events?${q({ [field]: value })}`);
      assert.equal(res.status, 200, `${field}=${value}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body.events, []);
    }
    assert.deepEqual((await get(`/audit/quarantine?${q({ event_id: value })}`)).body.entries, []);
  }
  assert.deepEqual(await ledger.counts(), before);
});

test('the OpenAPI document lists every new parameter with its bounds', async () => {
  const doc = (await gw.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, { get: { parameters: { name: string; schema: { maxLength?: number; enum?: string[]; pattern?: string } }[] } }> };
  const params = (path: string) => new Map(doc.paths[path]!.get.parameters.map((p) => [p.name, p.schema]));
  const events = params('/audit/events');
  for (const name of ['event_id', 'this_hash', 'composition_type', 'lease_holder', 'entity_ref', 'entity_ref_field', 'ingested_since', 'ingested_until']) assert.ok(events.has(name), name);
  assert.equal(events.get('entity_ref')!.maxLength, 512);
  assert.ok(events.get('entity_ref_field')!.enum!.includes('block_id'));
  assert.ok(events.get('this_hash')!.pattern);
  const quarantine = params('/audit/quarantine');
  for (const name of ['reason', 'composition_id', 'event_id', 'ingested_since', 'ingested_until']) assert.ok(quarantine.has(name), name);
});
