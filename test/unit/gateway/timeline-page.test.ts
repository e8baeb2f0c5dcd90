// The timeline page as the gateway serves it: public static assets with a strict CSP and strong ETags (a
// repeat request with If-None-Match is a 304), a public config that names the sign-in organisations and the
// lifecycle of the README diagram, and data routes that need a verified token, the audit_read scope and an
// ABAC ALLOW. Plus the page's pure parts: the visibility query, the SSE parser and the path walk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compositionListQuery, visibilityQuery } from '../../../gateway/routes/timeline-data.js';
import { pathTaken } from '../../../gateway/ui/src/lifecycle.js';
import { SseParser } from '../../../gateway/ui/src/sse.js';
import type { UiConfig } from '../../../gateway/routes/ui.js';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';
import { lifecycleEdges } from '../../../schemas/mermaid.js';
import { SCHEMA_IDS } from '../../../schemas/schema-ids.js';
import { bearer, fakeGateway, TOKENS } from './fakes.js';

const CSP = /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' [^;]+; img-src 'self' data:; form-action [^;]+; frame-ancestors 'none'; base-uri 'none'$/;

test('the page, its script and stylesheet are public, with the CSP and a strong ETag; a matching If-None-Match is a 304', async () => {
  const { app } = await fakeGateway();
  for (const [url, type] of [['/ui/', /text\/html/], ['/ui/app.js', /text\/javascript/], ['/ui/app.css', /text\/css/], ['/ui/callback', /text\/html/]] as const) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    assert.match(String(res.headers['content-type']), type);
    assert.match(String(res.headers['content-security-policy']), CSP);
    const etag = String(res.headers.etag);
    assert.match(etag, /^"sha256-[A-Za-z0-9_-]{43}"$/);
    const again = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
  }
  const html = (await app.inject({ method: 'GET', url: '/ui/' })).body;
  assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/i, 'no inline script, style or handler');
});

test('config.json is public and names the organisations that sign in people, the client, and the README lifecycle', async () => {
  const { app } = await fakeGateway();
  const res = await app.inject({ method: 'GET', url: '/ui/config.json' });
  assert.equal(res.statusCode, 200);
  const config = res.json() as UiConfig;
  assert.equal(config.client_id, 'coord-timeline');
  assert.deepEqual(config.organisations.map((o) => o.name).sort(), ['firm', 'partner'], 'the internal IdP signs in agents and services, not people');
  assert.deepEqual(config.lifecycle.edges.map((e) => `${e.from}->${e.to}`), lifecycleEdges().map((e) => `${e.from}->${e.to}`));
});

test('list, export and page trust: no token 401, a token without audit_read 403, a denied ABAC decision 403 — nothing read', async () => {
  for (const url of ['/audit/compositions', '/audit/compositions/cmp_01UNIT/export', '/ui/trust.json']) {
    const { app, recorded } = await fakeGateway();
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 401, url);
    const noScope = await app.inject({ method: 'GET', url, headers: bearer(TOKENS.smith) });
    assert.equal(noScope.statusCode, 403, url);
    assert.equal(noScope.json().error.code, 'ERR_SCOPE_MISSING');
    const denied = await fakeGateway({}, () => 'DENY');
    const no = await denied.app.inject({ method: 'GET', url, headers: bearer(TOKENS.auditor) });
    assert.equal(no.statusCode, 403, url);
    assert.equal(no.json().error.code, 'ERR_ABAC_DENY');
    assert.deepEqual(recorded.calls, []);
  }
});

test('hostile list filters and ids are 400 with the field path, before anything is read', async () => {
  const { app } = await fakeGateway();
  const cases: [string, string][] = [
    ['/audit/compositions?state=bogus', 'query.state'],
    ['/audit/compositions?composition_type=a%22%20OR%20WorkflowId%20!%3D%20%22', 'query.composition_type'],
    ['/audit/compositions?since=yesterday', 'query.since'],
    ['/audit/compositions?limit=100000', 'query.limit'],
    ['/audit/compositions?nope=1', 'query.(root)'],
    ['/audit/compositions?state=leased&state=closed', 'query.state'],
    ['/audit/compositions?limit=1&limit=2', 'query.limit'],
    ['/audit/compositions/not-a-composition/export', 'params.id'],
    ['/audit/compositions/cmp_%00/export', 'params.id'],
    ['/audit/compositions/cmp_a%2F..%2F..%2Fetc/export', 'params.id'],
    ['/audit/compositions/cmp_%E2%80%AE/export', 'params.id'],
    ['/audit/compositions/cmp_a%22%20OR%201/export', 'params.id'],
  ];
  for (const [url, path] of cases) {
    const res = await app.inject({ method: 'GET', url, headers: bearer(TOKENS.auditor) });
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'ERR_BAD_REQUEST');
    assert.equal(res.json().error.path, path, url);
  }
});

test('export ids: an unknown one is 404 ERR_NOT_FOUND and a huge one is refused by the router — nothing written, nothing decided', async () => {
  const ledger = SqliteLedgerStore.open(':memory:');
  const { app, recorded } = await fakeGateway({}, () => 'ALLOW', ledger);
  const unknown = await app.inject({ method: 'GET', url: '/audit/compositions/cmp_UNKNOWN/export', headers: bearer(TOKENS.auditor) });
  assert.equal(unknown.statusCode, 404, unknown.body);
  assert.equal(unknown.json().error.code, 'ERR_NOT_FOUND');
  const decided = recorded.abac.length;
  // past Fastify's parameter length the route is never reached (414 before any token or decision)
  const huge = await app.inject({ method: 'GET', url: `/audit/compositions/cmp_${'A'.repeat(100_000)}/export`, headers: bearer(TOKENS.auditor) });
  assert.ok(huge.statusCode >= 400 && huge.statusCode < 500, `${huge.statusCode}`);
  assert.equal(recorded.abac.length, decided);
  assert.deepEqual(await ledger.counts(), { events: 0, compositions: 0, quarantined: 0 });
  await app.close();
  await ledger.close();
});

test('static page routes: a path outside the page or an unknown asset is no route (404), never a file read from disk', async () => {
  const { app } = await fakeGateway();
  for (const url of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/nope.js', '/ui/src/main.ts']) {
    const res = await app.inject({ method: 'GET', url, headers: bearer(TOKENS.auditor) });
    assert.equal(res.statusCode, 404, `${url}: ${res.body.slice(0, 200)}`);
    assert.equal(res.json().error.code, 'ERR_NOT_FOUND');
  }
});

test('the visibility query: our workflow type and task queue, then each filter as a quoted literal', () => {
  const filters = compositionListQuery.parse({ composition_type: 'vrs_screening', state: 'leased', lease_holder: 'agent_vrs', since: '2026-12-01T00:00:00Z' });
  assert.equal(
    visibilityQuery(filters, 'q1'),
    'WorkflowType = "compositionWorkflow" AND TaskQueue = "q1" AND CompositionType = "vrs_screening" AND CompositionState = "leased" AND LeaseHolder = "agent_vrs" AND StartTime >= "2026-12-01T00:00:00.000Z"',
  );
});

test('the SSE parser: messages split across chunks, comments skipped, CRLF, multi-line data, ids kept', () => {
  const p = new SseParser();
  assert.deepEqual(p.push(': heartbeat\n\nid: 7\nevent: audit_event\nda'), []);
  assert.deepEqual(p.push('ta: {"a":1}\r\n\r\nid: 8\ndata: x\ndata: y\n\n'), [
    { id: '7', event: 'audit_event', data: '{"a":1}' },
    { id: '8', event: 'message', data: 'x\ny' },
  ]);
});

test('the path walk follows declared edges; refusals and events no edge takes change nothing', () => {
  const lifecycle = { start: 'none', states: [], terminal: [], refusal_schema: SCHEMA_IDS.accessDenied, edges: lifecycleEdges().map((e) => ({ from: e.from, to: e.to, schema_ids: e.schemaIds, labels: e.labels })) };
  const path = pathTaken(lifecycle, [SCHEMA_IDS.requested, SCHEMA_IDS.accessDenied, SCHEMA_IDS.leaseClaimed, SCHEMA_IDS.closed, SCHEMA_IDS.workStarted]);
  assert.equal(path.current, 'in_progress');
  assert.deepEqual(path.visited, ['none', 'requested', 'leased', 'in_progress']);
  assert.ok(path.edges.has('leased→in_progress'));
});
