// GET /audit/stream on an in-process gateway (fake verifier and PDP) over a real in-memory SQLite ledger:
// the backlog from Last-Event-ID 0, live events as they are admitted, ids that are admission positions,
// filters applied the same in SQL and in memory, heartbeats, the ABAC action `stream`, the per-caller cap,
// every bad input refused with its field before a stream opens, and the gateway's close ending open streams.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { matchesStreamFilter } from '../../../ledger/admitted.js';
import type { StreamFilter } from '../../../ledger/query-schema.js';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { CMP_A, CMP_B } from '../../helpers/audit-streams.js';
import { CMP_C, ingestInto, QUERY_STREAMS } from '../../helpers/ledger-query-cases.js';
import { waitFor } from '../../helpers/wait.js';
import { SseClient } from './audit-stream-client.js';
import { bearer, fakeGateway, TOKENS, type FakeGateway } from './fakes.js';

const { A, B, C } = QUERY_STREAMS;
const ledger = SqliteLedgerStore.open(':memory:');
let gw: FakeGateway;
let url: string;
const opened: SseClient[] = [];

before(async () => {
  await ingestInto(ledger, A, 1_000);
  gw = await fakeGateway({ stream: { heartbeatMs: 20, pollMs: 10, perCaller: 2 } }, () => 'ALLOW', ledger);
  url = `${await gw.app.listen({ host: '127.0.0.1', port: 0 })}/audit/stream`;
});
after(async () => {
  await Promise.all(opened.map((c) => c.abort()));
  await gw.app.close(); // a second close (after the last test's) resolves at once
  await ledger.close();
});

async function open(query = '', headers: Record<string, string> = {}, token = TOKENS.auditor): Promise<SseClient> {
  const res = await SseClient.open(`${url}${query}`, { ...bearer(token), ...headers });
  assert.ok(res instanceof SseClient, JSON.stringify('body' in res ? res.body : res));
  opened.push(res);
  return res;
}

async function refused(query: string, headers: Record<string, string> = {}, token = TOKENS.auditor) {
  const res = await SseClient.open(`${url}${query}`, { ...bearer(token), ...headers });
  assert.ok(!(res instanceof SseClient), 'refused before a stream opens');
  return res;
}

const eventIds = (client: SseClient) => client.events.map((f) => (JSON.parse(f.data) as { event: AuditEvent }).event.event_id);

test('Last-Event-ID 0 replays every admitted event with its position as id, then the stream goes live', { timeout: 30_000 }, async () => {
  const client = await open('', { 'last-event-id': '0' });
  await client.until((c) => c.events.length === A.length, 'the backlog');
  assert.deepEqual(eventIds(client), A.map((e) => e.event_id));
  assert.deepEqual(client.events.map((f) => f.id), A.map((_, i) => String(i + 1)));
  const first = JSON.parse(client.events[0]!.data) as { position: number; event: AuditEvent; ingested_at: string; emitter_signature: { kid: string; sig: string } | null };
  assert.deepEqual(first.event, A[0]);
  assert.equal(first.position, 1);
  assert.equal(first.ingested_at, new Date(1_000).toISOString());
  assert.ok(first.emitter_signature?.kid && first.emitter_signature.sig, 'the emitter signature it was admitted with');
  assert.equal(await ledger.log.leafIndex(A[0]!.event_id), 0, 'position = leaf index + 1');

  await ingestInto(ledger, C, 2_000);
  await client.until((c) => c.events.length === A.length + C.length, 'the live events');
  assert.deepEqual(eventIds(client), [...A, ...C].map((e) => e.event_id));
  await client.until((c) => c.comments.includes('hb'), 'a heartbeat');
  assert.equal(gw.recorded.abac.at(-1)?.action, 'stream');
  await client.abort();
});

test('filters: the backlog (SQL) and the live rows (in memory) select the same events', { timeout: 30_000 }, async () => {
  const filters: StreamFilter[] = [{ composition_id: CMP_C }, { schema_id: 'composition.leased.v1' }, { actor_type: 'human', composition_id: CMP_A }, { abac_outcome: 'ALLOW' }, { issuer: 'nobody' }];
  const all = await ledger.admitted({ after: 0, limit: 1000 });
  for (const filter of filters) {
    const sql = await ledger.admitted({ ...filter, after: 0, limit: 1000 });
    assert.deepEqual(sql, all.filter((r) => matchesStreamFilter(r, filter)), JSON.stringify(filter));
  }
  // over HTTP: C's backlog after position 3 (SQL); a stream of B from now gets B's events as they are
  // admitted (in memory), and C's stream none of them
  const ofC = await open(`?composition_id=${CMP_C}&last_event_id=3`);
  const cPositions = all.filter((r) => r.composition_id === CMP_C).map((r) => String(r.position));
  await ofC.until((c) => c.events.length === C.length, 'the backlog of C');
  assert.deepEqual(ofC.events.map((f) => f.id), cPositions);
  const ofB = await open(`?composition_id=${CMP_B}`);
  await ingestInto(ledger, B, 3_000);
  await ofB.until((c) => c.events.length === B.length, "B's live events");
  assert.deepEqual(eventIds(ofB), B.map((e) => e.event_id));
  // the hub handed B's rows to both streams in the same run: C's has had its chance to (wrongly) take them
  assert.deepEqual(ofC.events.map((f) => f.id), cPositions);
  await Promise.all([ofC.abort(), ofB.abort()]);
});

test('at most perCaller streams per caller: the next is 429 ERR_RATE_LIMITED, and a closed one frees its slot', { timeout: 30_000 }, async () => {
  const one = await open();
  const two = await open();
  const third = await refused('');
  assert.equal(third.status, 429);
  assert.equal(third.body.error.code, 'ERR_RATE_LIMITED');
  await one.abort();
  const again = await waitFor(async () => {
    const res = await SseClient.open(url, bearer(TOKENS.auditor));
    if (res instanceof SseClient) return res;
    assert.equal(res.status, 429);
    return undefined;
  }, { what: 'the slot of the aborted stream to be released' });
  opened.push(again);
  await Promise.all([two.abort(), again.abort()]);
});

test('bad filters, an unknown parameter and a malformed Last-Event-ID are a 400 naming the field', { timeout: 30_000 }, async () => {
  for (const [query, headers, path] of [
    ['?actor_type=robot', {}, 'query.actor_type'],
    ['?limit=5', {}, 'query.(root)'],
    ['?abac_outcome=MAYBE', {}, 'query.abac_outcome'],
    ['?last_event_id=-1', {}, 'query.last_event_id'],
    ['', { 'last-event-id': 'abc' }, 'header.last-event-id'],
    ['', { 'last-event-id': '007' }, 'header.last-event-id'],
    ['', { 'last-event-id': '99999999999999999' }, 'header.last-event-id'],
    ['', { 'last-event-id': '1, 2' }, 'header.last-event-id'],
    ['?last_event_id=1&last_event_id=2', {}, 'query.last_event_id'],
    ['?composition_id=cmp_a&composition_id=cmp_b', {}, 'query.composition_id'],
    [`?actor_id=${'x'.repeat(10_000)}`, {}, 'query.actor_id'],
    ['?issuer=a%00b', {}, 'query.issuer'],
  ] as const) {
    const res = await refused(query, headers);
    assert.equal(res.status, 400, `${query} ${JSON.stringify(headers)}`);
    assert.equal(res.body.error.code, 'ERR_BAD_REQUEST');
    assert.equal(res.body.error.path, path);
  }
  const noScope = await refused('', {}, TOKENS.smith);
  assert.equal(noScope.status, 403);
  assert.equal(noScope.body.error.code, 'ERR_SCOPE_MISSING');
  const noToken = await fetch(url);
  assert.equal(noToken.status, 401);
});

test('closing the gateway ends its open streams with stream_end shutdown and the position to resume from', { timeout: 30_000 }, async () => {
  const client = await open('', { 'last-event-id': '2' });
  await client.until((c) => c.events.length > 0, 'the backlog');
  const size = await ledger.log.size();
  await client.until((c) => c.events.at(-1)?.id === String(size), 'the whole backlog');
  await gw.app.close();
  await client.ended;
  const last = client.frames.at(-1)!;
  assert.equal(last.event, 'stream_end');
  assert.deepEqual(JSON.parse(last.data), { reason: 'shutdown', message: 'the gateway is stopping; reconnect with Last-Event-ID', last_event_id: String(size) });
});
