// Leases on the real stack: two concurrent claims → exactly one lease; a repeated request with the same
// Idempotency-Key acts once; a short lease expires on a real timer, is recorded by the ledger, and the
// composition is claimable again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintToken } from '../../infra/idp/client.js';
import { verify } from '../../audit/verify.js';
import { AGENT_BLOCK, compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';
import { waitFor } from '../helpers/wait.js';

let secondAgent: string;
const fx = gatewayFixture('leases', async () => {
  secondAgent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'agent_vrs_screener_02', software_version: '1.4.2' } });
});

test('two concurrent claims: exactly one succeeds, the other gets 409 ERR_LEASE_HELD', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const claims = await Promise.all(
    [fx.tokens.agent, secondAgent].map((t) => fx.http.post<{ error?: { code: string }; lease?: { holder: string } }>(`/compositions/${id}/claim`, t, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK })),
  );
  assert.deepEqual(claims.map((c) => c.status).sort(), [200, 409]);
  assert.equal(claims.find((c) => c.status === 409)!.body.error!.code, 'ERR_LEASE_HELD');
  const winner = claims.find((c) => c.status === 200)!.body.lease!.holder;
  assert.equal((await view(fx.http, id)).lease?.holder, winner);
  const events = distinct(await topicEvents(id));
  assert.deepEqual(events.map((e) => e.schema_id), ['composition.requested.v1', 'coordination.lease_claimed.v1', 'coordination.access_denied.v1']);
});

test('the same Idempotency-Key twice: one claim, the same answer twice', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const key = `claim-${id}`;
  const first = await fx.http.post(`/compositions/${id}/claim`, fx.tokens.agent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK }, key);
  const again = await fx.http.post(`/compositions/${id}/claim`, fx.tokens.agent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK }, key);
  assert.equal(first.status, 200);
  assert.deepEqual(again, first);
  assert.equal(distinct(await topicEvents(id)).filter((e) => e.schema_id === 'coordination.lease_claimed.v1').length, 1);
});

test('a lease expires on its timer: lease_expired by the ledger, back to requested, claimable again', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const claimed = await fx.http.post(`/compositions/${id}/claim`, fx.tokens.agent, { payload: { lease_window_seconds: 2 }, agent: AGENT_BLOCK });
  assert.equal(claimed.status, 200);
  await waitFor(async () => (await view(fx.http, id)).state === 'requested', { what: 'the 2 s lease to expire', timeoutMs: 30_000 });
  const events = distinct(await topicEvents(id));
  const expired = events.at(-1)!;
  assert.equal(expired.schema_id, 'coordination.lease_expired.v1');
  assert.deepEqual([expired.actor.id, expired.auth, expired.abac_decision], ['coordination-ledger', null, null]);
  assert.equal(verify(events).ok, true);
  const again = await fx.http.post(`/compositions/${id}/claim`, secondAgent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK });
  assert.equal(again.status, 200);
  assert.equal((await view(fx.http, id)).lease?.holder, 'agent_vrs_screener_02');
});
