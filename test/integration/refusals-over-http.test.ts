// Refusals over HTTP: each returns its status and stable code, changes no state, and is recorded in the
// audit topic as coordination.access_denied.v1 — scopes, ABAC (Cerbos), lifecycle, actor type.
// Malformed requests get a 400/422 with the field path and are not transitions (nothing recorded).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { mintToken } from '../../infra/idp/client.js';
import { verify } from '../../audit/verify.js';
import { AGENT_BLOCK, compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';
import { waitFor } from '../helpers/wait.js';

const fx = gatewayFixture('refusals');

interface ErrorReply {
  error: { code: string; message: string; audit_event_id?: string; path?: string; state?: string };
}

/** Asserts a recorded refusal: status, code, unchanged state, and the access_denied event in Kafka. */
async function assertRecordedRefusal(id: string, reply: { status: number; body: ErrorReply }, status: number, code: string, attempted: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.error.code, code);
  const events = distinct(await topicEvents(id));
  const denied = events.find((e) => e.event_id === reply.body.error.audit_event_id);
  assert.ok(denied, `access_denied ${reply.body.error.audit_event_id} in the topic`);
  assert.equal(denied.schema_id, 'coordination.access_denied.v1');
  assert.deepEqual(
    { attempted: (denied.payload as { attempted_schema_id: string }).attempted_schema_id, code: (denied.payload as { reason_code: string }).reason_code },
    { attempted, code },
  );
  assert.equal(verify(events).ok, true);
  return denied;
}

test('an agent tries to close a composition: 403, recorded, still in evidence', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 8);
  const agentWithAttestScope = await mintToken('internal', {
    sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent',
    scope: ['fusion_operator', 'edition_attest'], claims: { client_id: 'agent_vrs_screener_01', software_version: '1.4.2' },
  });
  const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/attest`, agentWithAttestScope, {
    payload: { decision: 'matches_attested_for_action', edition_id: 'ed_1', evidence_block_ref: 'blk_1' }, agent: AGENT_BLOCK,
  });
  const denied = await assertRecordedRefusal(id, reply, 403, 'ERR_ABAC_DENY', 'composition.closed.v1');
  assert.equal(denied.actor.type, 'agent');
  assert.equal(denied.abac_decision?.outcome, 'DENY');
  assert.ok(denied.abac_decision?.uds_eval_id, 'the PDP decision id is recorded');
  assert.equal((await view(fx.http, id)).state, 'evidence');
});

test('ABAC DENY: the partner organisation may not claim a lease; the decision id is recorded', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const partnerClaimer = await mintToken('partner', { sub: 'ops@vrs.example', actor_type: 'service', scope: ['lease_claim'], claims: { client_id: 'vrs_ops' } });
  const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, partnerClaimer, { payload: { lease_window_seconds: 600 } });
  const denied = await assertRecordedRefusal(id, reply, 403, 'ERR_ABAC_DENY', 'coordination.lease_claimed.v1');
  assert.equal(denied.auth?.issuer, 'http://127.0.0.1:9402');
  assert.equal((await view(fx.http, id)).state, 'requested');
});

test('missing scope: 403 before ABAC is asked, recorded without a decision', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const noLeaseScope = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['svc'], actor_type: 'agent', scope: ['fusion_operator'], claims: { client_id: 'agent_x' } });
  const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, noLeaseScope, { payload: {}, agent: AGENT_BLOCK });
  const denied = await assertRecordedRefusal(id, reply, 403, 'ERR_SCOPE_MISSING', 'coordination.lease_claimed.v1');
  assert.equal(denied.abac_decision, null);
  assert.equal((await view(fx.http, id)).state, 'requested');
});

test('wrong state: evidence before any lease is a 409, recorded', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const reply = await fx.http.post<ErrorReply>(`/compositions/${id}/evidence`, fx.tokens.agent, {
    payload: { block_id: 'b', lens_id: 'l', lens_version: '1', query_hash: `sha256:${'a'.repeat(64)}`, result_hash: `sha256:${'b'.repeat(64)}`, match_count: 1, false_positives: 0, false_negatives: 0, f1: 1, view_hint: { component: 'c', layout_type: 'l', primary_field: 'p' } },
    agent: AGENT_BLOCK,
  });
  await assertRecordedRefusal(id, reply, 409, 'ERR_WRONG_STATE', 'coordination.evidence_block_emitted.v1');
});

test('malformed requests: 400 for bad JSON, 422 with the field path; nothing recorded', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const before = (await view(fx.http, id)).sequence;
  const badJson = await fetch(`${fx.services.gatewayUrl}/compositions/${id}/claim`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.tokens.agent}` }, body: '{"payload":' });
  assert.equal(badJson.status, 400);
  assert.equal(((await badJson.json()) as ErrorReply).error.code, 'ERR_BAD_REQUEST');
  const wrongType = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, fx.tokens.agent, { payload: { lease_window_seconds: 'long' } });
  assert.deepEqual([wrongType.status, wrongType.body.error.code, wrongType.body.error.path], [422, 'ERR_INVALID_PAYLOAD', 'payload.lease_window_seconds']);
  const ledgerField = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, fx.tokens.agent, { payload: { lease_holder: 'someone_else' } });
  assert.deepEqual([ledgerField.status, ledgerField.body.error.path], [422, 'payload']);
  const unknownEvent = await fx.http.post<ErrorReply>(`/compositions/${id}/events`, fx.tokens.agent, { schema_id: 'coordination.teleported.v1', payload: {} });
  assert.deepEqual([unknownEvent.status, unknownEvent.body.error.path], [422, 'schema_id']);
  assert.equal((await view(fx.http, id)).sequence, before);
});

test('unknown composition: 404; closed composition: 409 ERR_COMPOSITION_CLOSED', async () => {
  const missing = await fx.http.post<ErrorReply>('/compositions/cmp_doesnotexist/claim', fx.tokens.agent, { payload: {} });
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'ERR_NOT_FOUND']);
  const id = await compositionAtStep(fx.http, fx.tokens, 9);
  const late = await fx.http.post<ErrorReply>(`/compositions/${id}/claim`, fx.tokens.agent, { payload: {}, agent: AGENT_BLOCK });
  assert.deepEqual([late.status, late.body.error.code], [409, 'ERR_COMPOSITION_CLOSED']);
  const restart = await fx.http.post<ErrorReply>('/compositions', fx.tokens.human, { composition_id: id, composition_type: 'vrs_screening', payload: { lens_id: 'l', lens_version: '1' } });
  assert.deepEqual([restart.status, restart.body.error.code], [409, 'ERR_COMPOSITION_CLOSED'], 'a closed composition id is never reused');
});

test('attestation as a signal: 202 at once, the outcome readable by query, the event in the topic', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 8);
  const accepted = await fx.http.post<{ request_id: string; outcome_url: string }>(`/compositions/${id}/attest`, fx.tokens.human, {
    // the block the composition emitted (§7b step 6): an attestation must name it
    mode: 'signal', payload: { decision: 'matches_attested_for_action', edition_id: 'ed_sig', evidence_block_ref: vrsScreeningSteps()[5]!.payload.block_id },
  });
  assert.equal(accepted.status, 202);
  const outcome = await waitFor(async () => {
    const { body } = await fx.http.get<{ status: string; outcome: { ok: boolean; state: string; event_id: string } | null }>(accepted.body.outcome_url);
    return body.status === 'done' ? body.outcome : undefined;
  }, { what: 'the signal outcome' });
  assert.equal(outcome?.ok, true);
  assert.equal(outcome?.state, 'closed');
  const events = distinct(await topicEvents(id));
  assert.equal(events.at(-1)!.event_id, outcome?.event_id);
  assert.equal(events.at(-1)!.schema_id, 'composition.closed.v1');
});

test('the OpenAPI document describes every endpoint', async () => {
  const { status, body } = await fx.http.get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
  assert.equal(status, 200);
  for (const path of ['/compositions', '/compositions/{id}', '/compositions/{id}/claim', '/compositions/{id}/renew', '/compositions/{id}/release', '/compositions/{id}/events', '/compositions/{id}/evidence', '/compositions/{id}/attest', '/compositions/{id}/reject', '/compositions/{id}/cancel']) {
    assert.ok(path in body.paths, path);
  }
});
