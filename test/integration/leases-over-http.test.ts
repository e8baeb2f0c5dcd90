// Leases on the real stack: two concurrent claims → exactly one lease; a repeated request with the same
// Idempotency-Key acts once; a short lease expires on a real timer, is recorded by the ledger, and the
// composition is claimable again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { mintToken } from '../../infra/idp/client.js';
import type { Services } from '../../infra/services.js';
import { verify } from '../../audit/verify.js';
import { AGENT_BLOCK, compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { startServices } from '../helpers/services.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

let services: Services;
let http: GatewayHttp;
let tokens: VrsTokens;
let secondAgent: string;

before(async () => {
  await stackReady();
  services = await startServices('leases');
  http = new GatewayHttp(services.gatewayUrl);
  tokens = await mintVrsTokens();
  secondAgent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'agent_vrs_screener_02', software_version: '1.4.2' } });
});
after(async () => services?.stop());

test('two concurrent claims: exactly one succeeds, the other gets 409 ERR_LEASE_HELD', async () => {
  const id = await compositionAtStep(http, tokens, 1);
  const claims = await Promise.all(
    [tokens.agent, secondAgent].map((t) => http.post<{ error?: { code: string }; lease?: { holder: string } }>(`/compositions/${id}/claim`, t, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK })),
  );
  assert.deepEqual(claims.map((c) => c.status).sort(), [200, 409]);
  assert.equal(claims.find((c) => c.status === 409)!.body.error!.code, 'ERR_LEASE_HELD');
  const winner = claims.find((c) => c.status === 200)!.body.lease!.holder;
  assert.equal((await view(http, id)).lease?.holder, winner);
  const events = distinct(await topicEvents(id));
  assert.deepEqual(events.map((e) => e.schema_id), ['composition.requested.v1', 'coordination.lease_claimed.v1', 'coordination.access_denied.v1']);
});

test('the same Idempotency-Key twice: one claim, the same answer twice', async () => {
  const id = await compositionAtStep(http, tokens, 1);
  const key = `claim-${id}`;
  const first = await http.post(`/compositions/${id}/claim`, tokens.agent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK }, key);
  const again = await http.post(`/compositions/${id}/claim`, tokens.agent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK }, key);
  assert.equal(first.status, 200);
  assert.deepEqual(again, first);
  assert.equal(distinct(await topicEvents(id)).filter((e) => e.schema_id === 'coordination.lease_claimed.v1').length, 1);
});

test('a lease expires on its timer: lease_expired by the ledger, back to requested, claimable again', async () => {
  const id = await compositionAtStep(http, tokens, 1);
  const claimed = await http.post(`/compositions/${id}/claim`, tokens.agent, { payload: { lease_window_seconds: 2 }, agent: AGENT_BLOCK });
  assert.equal(claimed.status, 200);
  await waitFor(async () => (await view(http, id)).state === 'requested', { what: 'the 2 s lease to expire', timeoutMs: 30_000 });
  const events = distinct(await topicEvents(id));
  const expired = events.at(-1)!;
  assert.equal(expired.schema_id, 'coordination.lease_expired.v1');
  assert.deepEqual([expired.actor.id, expired.auth, expired.abac_decision], ['coordination-ledger', null, null]);
  assert.equal(verify(events).ok, true);
  const again = await http.post(`/compositions/${id}/claim`, secondAgent, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK });
  assert.equal(again.status, 200);
  assert.equal((await view(http, id)).lease?.holder, 'agent_vrs_screener_02');
});
