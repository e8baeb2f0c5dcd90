// Over HTTP on the real stack: the gateway answers nobody it cannot name. A request with no bearer token
// (or one that is not a JWT) is refused at the gateway and appends nothing to the chain; reads of a
// composition and of a signal's outcome are ABAC-decided (infra/cerbos/policies/composition-view.yaml);
// an Idempotency-Key belongs to the verified caller who sent it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64url, decodeJwt } from 'jose';
import { mintToken } from '../../infra/idp/client.js';
import type { CompositionView } from '../../workflows/types.js';
import { AGENT_BLOCK, compositionAtStep } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

interface ErrorReply {
  error: { code: string; audit_event_id?: string };
}

let secondAgent: string;
const fx = gatewayFixture('gw-callers', async () => {
  secondAgent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'agent_vrs_screener_02', software_version: '1.4.2' } });
});

const claimBody = () => ({ payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK });

async function read(id: string): Promise<CompositionView> {
  const { status, body } = await fx.http.request<CompositionView>('GET', `/compositions/${id}`, { token: fx.tokens.human });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/** A well-formed token claiming the agent's issuer and subject, with a signature nobody made. */
function forgedLike(genuine: string): string {
  const [header, , signature] = genuine.split('.');
  return `${header}.${base64url.encode(JSON.stringify({ ...decodeJwt(genuine), jti: `forged_${Date.now()}` }))}.${signature}`;
}

test('a token-less or non-JWT action is 401 at the gateway and appends nothing to the chain', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const before = await read(id);
  for (const [token, code] of [[undefined, 'ERR_JWT_MISSING'], ['not-a-jwt', 'ERR_JWT_MALFORMED']] as const) {
    const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, token, claimBody());
    assert.equal(reply.status, 401, JSON.stringify(reply.body));
    assert.equal(reply.body.error.code, code);
    assert.equal(reply.body.error.audit_event_id, undefined, 'nothing was recorded');
  }
  const signal = await fx.http.post<ErrorReply>(`/compositions/${id}/attest`, undefined, { mode: 'signal', payload: { decision: 'matches_attested_for_action', edition_id: 'ed_x', evidence_block_ref: 'blk_x' } });
  assert.equal(signal.status, 401, `signal-mode attest without a token: ${JSON.stringify(signal.body)}`);
  const after = await read(id);
  assert.deepEqual([after.state, after.sequence, after.last_hash], [before.state, before.sequence, before.last_hash]);
  assert.deepEqual(distinct(await topicEvents(id)).map((e) => e.schema_id), ['composition.requested.v1']);
  // and the composition still takes the genuine next action at once
  const claimed = await fx.http.post(`/compositions/${id}/claim`, fx.tokens.agent, claimBody());
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
});

test('a well-formed token that fails verification is still recorded by the workflow, as before', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, forgedLike(fx.tokens.agent), claimBody());
  assert.equal(reply.status, 401, JSON.stringify(reply.body));
  assert.equal(reply.body.error.code, 'ERR_JWT_SIGNATURE');
  assert.ok(reply.body.error.audit_event_id, 'recorded');
  assert.equal((await read(id)).sequence, 2);
});

test('reads need a token and an ABAC decision: none → 401, the partner → 403 ERR_ABAC_DENY, our human → 200', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  for (const path of [`/compositions/${id}`, `/compositions/${id}/signals/req_unknown`]) {
    const none = await fx.http.request<ErrorReply>('GET', path);
    assert.equal(none.status, 401, `${path}: ${JSON.stringify(none.body)}`);
    assert.equal(none.body.error.code, 'ERR_JWT_MISSING');
    const partner = await fx.http.request<ErrorReply>('GET', path, { token: fx.tokens.partnerParticipant });
    assert.equal(partner.status, 403, `${path}: ${JSON.stringify(partner.body)}`);
    assert.equal(partner.body.error.code, 'ERR_ABAC_DENY');
    for (const token of [fx.tokens.human, fx.tokens.agent, fx.tokens.beacon]) {
      const ok = await fx.http.request('GET', path, { token });
      assert.equal(ok.status, 200, `${path}: ${JSON.stringify(ok.body)}`);
    }
  }
});

test('a key used first without a token does not poison the genuine request; nor does a forged token', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const key = `claim-${id}`;
  const tokenless = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, undefined, claimBody(), key);
  assert.equal(tokenless.status, 401);
  const forged = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, forgedLike(fx.tokens.agent), claimBody(), key);
  assert.equal(forged.status, 401);
  const genuine = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, fx.tokens.agent, claimBody(), key);
  assert.equal(genuine.status, 200, `the genuine claim must not get an earlier caller's outcome: ${JSON.stringify(genuine.body)}`);
});

test("another caller's request with a seen key is another request; a token-less one never gets the outcome", async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const key = `claim-${id}`;
  const first = await fx.http.post<{ event_id: string }>(`/compositions/${id}/claim`, fx.tokens.agent, claimBody(), key);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const tokenless = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, undefined, claimBody(), key);
  assert.equal(tokenless.status, 401, `a token-less request must not read the first outcome: ${JSON.stringify(tokenless.body)}`);
  const other = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, secondAgent, claimBody(), key);
  assert.equal(other.status, 409, `another agent with the same key is judged on its own: ${JSON.stringify(other.body)}`);
  assert.equal(other.body.error.code, 'ERR_LEASE_HELD');
  const again = await fx.http.post<{ event_id: string }>(`/compositions/${id}/claim`, fx.tokens.agent, claimBody(), key);
  assert.deepEqual(again, first, 'the first caller retrying still gets its first outcome');
});
