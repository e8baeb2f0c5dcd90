// GET /audit/stream on the real stack: worker, ledger process (Kafka → its own SQLite store) and gateway.
// A composition driven over HTTP appears on the stream as the ledger admits it; the connection is dropped
// mid-way (the fetch aborted), more transitions happen, and a reconnect with Last-Event-ID yields the rest:
// the union is exactly the ledger's events in admission order, none missing, none repeated. An agent and a
// partner's auditor — both holding audit_read — are refused by the PDP; a token that expires mid-stream ends
// the stream; the per-caller cap, bad input and heartbeats are checked against the running gateway.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { mintToken } from '../../infra/idp/client.js';
import { openLedgerStore } from '../../ledger/open-store.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { Services } from '../../workers/services.js';
import { scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { SseClient } from '../unit/gateway/audit-stream-client.js';

let services: Services;
let http: GatewayHttp;
let tokens: VrsTokens;
let ledgerUrl: string;
let streamUrl: string;
let auditor: string;

before(async () => {
  await stackReady();
  const topic = await scratchTopic('audit-stream');
  ledgerUrl = scratchLedgerUrl();
  services = await Services.start({
    taskQueue: `it-audit-stream-${randomUUID().slice(0, 8)}`,
    tag: 'test-audit-stream',
    ledger: true,
    env: { COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: ledgerUrl, COORD_AUDIT_STREAM_HEARTBEAT_SECONDS: '0.2', COORD_AUDIT_STREAM_PER_CALLER: '2' },
  });
  http = new GatewayHttp(services.gatewayUrl);
  tokens = await mintVrsTokens();
  auditor = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_read'] });
  streamUrl = `${services.gatewayUrl}/audit/stream`;
});
after(async () => services?.stop());

async function open(headers: Record<string, string> = {}, token = auditor, query = ''): Promise<SseClient> {
  const res = await SseClient.open(`${streamUrl}${query}`, { authorization: `Bearer ${token}`, ...headers });
  assert.ok(res instanceof SseClient, JSON.stringify('body' in res ? res.body : res));
  return res;
}

const eventOf = (data: string) => (JSON.parse(data) as { event: AuditEvent }).event;

async function drive(compositionId: string, steps: ReturnType<typeof vrsScreeningSteps>): Promise<void> {
  const results = await runVrsScreening(http, tokens, compositionId, steps);
  assert.ok(results.length === steps.length && results.every((s) => s.status < 300), JSON.stringify(results.find((s) => s.status >= 300)));
}

test('events arrive as the ledger admits them; a dropped connection resumed with Last-Event-ID misses and repeats nothing', async () => {
  const steps = vrsScreeningSteps();
  const first = newCompositionId();
  const second = newCompositionId();
  const stream = await open({ 'last-event-id': '0' });
  await drive(first, steps.slice(0, 4));
  await stream.until((c) => c.events.length >= 4, "the first composition's first four events");
  await stream.until((c) => c.comments.includes('hb'), 'a heartbeat');
  await stream.abort(); // the network drops
  const seen = [...stream.events];
  const lastId = seen.at(-1)!.id!;

  await drive(first, steps.slice(4));
  await drive(second, steps);
  const resumed = await open({ 'last-event-id': lastId });
  const total = 2 * steps.length;
  await resumed.until((c) => seen.length + c.events.length >= total, 'the rest of both compositions');

  const store = await openLedgerStore(ledgerUrl, { readonly: true });
  try {
    const admitted = await store.admitted({ after: 0, limit: 1000 });
    assert.equal(admitted.length, total, 'the ledger holds both compositions');
    const union = [...seen, ...resumed.events];
    assert.deepEqual(union.map((f) => f.id), admitted.map((r) => String(r.position)), 'every position once, in admission order');
    assert.deepEqual(union.map((f) => eventOf(f.data)), admitted.map((r) => JSON.parse(r.body) as AuditEvent), 'each event as recorded');
    assert.deepEqual(new Set(union.map((f) => eventOf(f.data).composition_id)), new Set([first, second]));
  } finally {
    await store.close();
    await resumed.abort();
  }
});

test('an agent and a partner auditor, both with audit_read, are refused by the PDP; no token is a 401', async () => {
  const partner = await mintToken('partner', { sub: 'auditor@partner.example', actor_type: 'human', scope: ['audit_read'] });
  const agent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['audit_read'], claims: { client_id: 'agent_vrs_screener_02', software_version: '1.4.2' } });
  for (const token of [agent, partner]) {
    const res = await SseClient.open(streamUrl, { authorization: `Bearer ${token}` });
    assert.ok(!(res instanceof SseClient), 'no stream');
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'ERR_ABAC_DENY');
    assert.match(res.body.error.message, /UDS denied stream on the audit ledger \(evaluation [0-9A-Z]{26}\)/);
  }
  assert.equal((await fetch(streamUrl)).status, 401);
});

test('the per-caller cap answers 429 ERR_RATE_LIMITED; bad filters and Last-Event-ID are a 400 with the path', async () => {
  const one = await open();
  const two = await open();
  try {
    const third = await SseClient.open(streamUrl, { authorization: `Bearer ${auditor}` });
    assert.ok(!(third instanceof SseClient));
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'ERR_RATE_LIMITED');
  } finally {
    await Promise.all([one.abort(), two.abort()]);
  }
  for (const [query, headers, path] of [
    ['?abac_outcome=PERHAPS', {}, 'query.abac_outcome'],
    ['?cursor=x', {}, 'query.(root)'],
    ['', { 'last-event-id': 'evt_1' }, 'header.last-event-id'],
  ] as const) {
    const res = await SseClient.open(`${streamUrl}${query}`, { authorization: `Bearer ${auditor}`, ...headers });
    assert.ok(!(res instanceof SseClient));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.path, path);
  }
});

test('a token that expires mid-stream ends the stream with stream_end token_expired', async () => {
  const shortLived = await mintToken('firm', { sub: 'auditor.short@citi.example', actor_type: 'human', scope: ['audit_read'], ttl_seconds: 2 });
  const stream = await open({}, shortLived);
  await stream.ended;
  const last = stream.frames.at(-1);
  assert.equal(last?.event, 'stream_end');
  assert.equal((JSON.parse(last.data) as { reason: string }).reason, 'token_expired');
});
