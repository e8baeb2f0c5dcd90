// The trust model over HTTP, as an attacker holding valid tokens of trusted IdPs would try it (issue 12):
// every attempt is refused with a stable code and recorded, changes neither state nor lease, and the
// composition still takes the genuine next action at once — and completes the §7b screening afterwards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { callerPayload, runStep } from '../../cli/demo/vrs-over-http.js';
import { mintToken } from '../../infra/idp/client.js';
import { withTemporal } from '../../ledger/temporal-client.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import { WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { CompositionInput } from '../../workflows/types.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { AGENT_BLOCK, compositionAtStep, view } from '../helpers/compositions.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

const STEPS = vrsScreeningSteps();
const stepIndex = (schemaId: string) => STEPS.findIndex((s) => s.schemaId === schemaId);
const onBehalf = { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'] };

const fx = gatewayFixture('trust-model');

interface Reply {
  error?: { code: string; message: string; audit_event_id?: string };
  state?: string;
}

/**
 * Sends an attack, asserts it is refused with `code` and recorded, that nothing else moved, and that the
 * genuine next step (`next`, the index of a §7b step) is then accepted.
 */
async function refusedThenGenuine(id: string, attack: () => Promise<{ status: number; body: Reply }>, code: string, next: number): Promise<void> {
  const before = await view(fx.http, id);
  const reply = await attack();
  assert.ok(reply.status >= 400 && reply.status < 500, JSON.stringify(reply));
  assert.equal(reply.body.error?.code, code, JSON.stringify(reply.body));
  const after = await view(fx.http, id);
  assert.deepEqual([after.state, after.lease], [before.state, before.lease], 'state and lease unchanged');
  assert.equal(after.sequence, before.sequence + 1, 'only the refusal was recorded');
  const denied = distinct(await topicEvents(id)).find((e) => e.event_id === reply.body.error!.audit_event_id);
  assert.equal((denied?.payload as { reason_code?: string } | undefined)?.reason_code, code, 'the refusal is in the audit topic');
  const genuine = await runStep(fx.http, STEPS[next]!, fx.tokens, id);
  assert.ok(genuine.status < 300, `the genuine ${STEPS[next]!.schemaId} after the attack: ${JSON.stringify(genuine.body)}`);
}

/** The rest of §7b from step `from`: the composition completes despite what was tried on it. */
async function completes(id: string, from: number): Promise<void> {
  for (const step of STEPS.slice(from)) {
    const reply = await runStep(fx.http, step, fx.tokens, id);
    assert.ok(reply.status < 300, `${step.schemaId}: ${JSON.stringify(reply.body)}`);
  }
  assert.equal((await view(fx.http, id)).state, 'closed');
}

test('a lease is held by (issuer, id): another issuer’s token carrying the holder’s client_id is not the holder', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 2);
  const impostor = await mintToken('firm', { sub: 'svc_lookalike@citi.example', actor_type: 'service', scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'agent_vrs_screener_01' } });
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/renew`, impostor, { payload: { lease_window_seconds: 600 } }), 'ERR_NOT_LEASE_HOLDER', 2);
  await completes(id, 3);
});

test('the holder’s work is the holder’s: another agent with every scope cannot report a lens run or emit evidence', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 2);
  const other = await mintToken('internal', { ...onBehalf, actor_type: 'agent', scope: ['fusion_operator', 'lease_claim', 'evidence_emit'], claims: { client_id: 'agent_other_07' } });
  const lensRun = STEPS[stepIndex(SCHEMA_IDS.lensRunStarted)]!;
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/events`, other, { schema_id: lensRun.schemaId, payload: callerPayload(lensRun), agent: AGENT_BLOCK }), 'ERR_NOT_LEASE_HOLDER', 2);
  await completes(id, 3);
});

test('an issuer asserts only its own actor types: the internal IdP’s “human” cannot close; a delegated token is never a human', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, stepIndex(SCHEMA_IDS.closed));
  const close = STEPS[stepIndex(SCHEMA_IDS.closed)]!;
  const fakeHuman = await mintToken('internal', { sub: 'user_smith@citi.example', actor_type: 'human', scope: ['edition_attest', 'vrs_screening_review', 'fusion_operator'] });
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/attest`, fakeHuman, { payload: callerPayload(close) }), 'ERR_JWT_ACTOR_TYPE', stepIndex(SCHEMA_IDS.closed));
  assert.equal((await view(fx.http, id)).state, 'closed');

  const other = await compositionAtStep(fx.http, fx.tokens, stepIndex(SCHEMA_IDS.closed));
  const delegatedHuman = await mintToken('firm', { ...onBehalf, actor_type: 'human', scope: ['edition_attest', 'vrs_screening_review', 'fusion_operator'] });
  await refusedThenGenuine(other, () => fx.http.post(`/compositions/${other}/attest`, delegatedHuman, { payload: callerPayload(close) }), 'ERR_JWT_ACTOR_TYPE', stepIndex(SCHEMA_IDS.closed));
});

test('tokens that used to freeze a composition are refused at once: an exp beyond the Date range, a 4 KB client_id', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const claim = { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK };
  const forever = await mintToken('internal', { ...onBehalf, actor_type: 'agent', scope: ['fusion_operator', 'lease_claim'], ttl_seconds: 9e15, claims: { client_id: 'agent_vrs_screener_01' } });
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/claim`, forever, claim), 'ERR_JWT_LIFETIME', 1);

  const next = await compositionAtStep(fx.http, fx.tokens, 1);
  const huge = await mintToken('internal', { ...onBehalf, actor_type: 'agent', scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'x'.repeat(4096) } });
  await refusedThenGenuine(next, () => fx.http.post(`/compositions/${next}/claim`, huge, claim), 'ERR_JWT_CLAIMS', 1);
  await completes(next, 2);
});

test('a PSI round: a partner cannot report one; participant tokens need psi_participant, two organisations, and name their nodes', async () => {
  const psi = stepIndex(SCHEMA_IDS.psiRoundCompleted);
  const id = await compositionAtStep(fx.http, fx.tokens, psi);
  const round = STEPS[psi]!;
  const body = (node_a: string, node_b: string, payload: Record<string, unknown> = callerPayload(round)) => ({ schema_id: round.schemaId, payload, participant_tokens: { node_a, node_b } });

  const partnerService = await mintToken('partner', { sub: 'svc@vrs.example', actor_type: 'service', scope: ['fusion_operator', 'psi_participant'], claims: { client_id: 'vrs_pipeline' } });
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/events`, partnerService, body(fx.tokens.partnerParticipant, fx.tokens.firmParticipant)), 'ERR_ABAC_DENY', psi);

  const again = await compositionAtStep(fx.http, fx.tokens, psi);
  const post = (b: unknown) => () => fx.http.post(`/compositions/${again}/events`, fx.tokens.fusionPipeline, b);
  // the firm's human has no psi_participant: not a PSI node
  await refusedThenGenuine(again, post(body(fx.tokens.partnerParticipant, fx.tokens.human)), 'ERR_SCOPE_MISSING', psi);
  const third = await compositionAtStep(fx.http, fx.tokens, psi);
  const postThird = (b: unknown) => () => fx.http.post(`/compositions/${third}/events`, fx.tokens.fusionPipeline, b);
  await refusedThenGenuine(third, postThird(body(fx.tokens.partnerParticipant, fx.tokens.partnerParticipant, { ...callerPayload(round), node_b_id: 'vrs_register_node' })), 'ERR_INVALID_PAYLOAD', psi);
  const fourth = await compositionAtStep(fx.http, fx.tokens, psi);
  const postFourth = (b: unknown) => () => fx.http.post(`/compositions/${fourth}/events`, fx.tokens.fusionPipeline, b);
  await refusedThenGenuine(fourth, postFourth(body(fx.tokens.partnerParticipant, fx.tokens.firmParticipant, { ...callerPayload(round), node_a_id: 'someone_else' })), 'ERR_INVALID_PAYLOAD', psi);
  await completes(fourth, psi + 1);
});

test('closing, rejecting and publishing must name the evidence block this composition emitted', async () => {
  const closeAt = stepIndex(SCHEMA_IDS.closed);
  const id = await compositionAtStep(fx.http, fx.tokens, closeAt);
  const close = STEPS[closeAt]!;
  await refusedThenGenuine(id, () => fx.http.post(`/compositions/${id}/attest`, fx.tokens.human, { payload: { ...callerPayload(close), evidence_block_ref: 'blk_that_never_existed' } }), 'ERR_EVIDENCE_MISMATCH', closeAt);

  const publishAt = stepIndex(SCHEMA_IDS.matchesPublished);
  const other = await compositionAtStep(fx.http, fx.tokens, publishAt);
  const publish = STEPS[publishAt]!;
  await refusedThenGenuine(other, () => fx.http.post(`/compositions/${other}/events`, fx.tokens.beacon, { schema_id: publish.schemaId, payload: { ...callerPayload(publish), block_id: 'blk_forged' } }), 'ERR_EVIDENCE_MISMATCH', publishAt);
});

test('the opening’s composition_type must be the composition’s own', async () => {
  const id = `cmp_${randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`;
  const open = STEPS[0]!;
  const reply = await fx.http.post<Reply>('/compositions', fx.tokens.human, { composition_id: id, composition_type: 'vrs_screening', payload: { ...open.payload, composition_type: 'fusion_run' } });
  assert.equal(reply.status, 422, JSON.stringify(reply.body));
  assert.equal(reply.body.error?.code, 'ERR_INVALID_PAYLOAD');
});

test('a workflow started directly with carried state (a forged head, “evidence”) fails closed; a genuine composition is untouched', async () => {
  await withTemporal(async (client) => {
    const id = `cmp_FORGED${randomUUID().replaceAll('-', '').slice(0, 20).toUpperCase()}`;
    const forged: CompositionInput = {
      compositionId: id,
      compositionType: 'vrs_screening',
      carried: { snapshot: { state: 'evidence', lease: null }, head: { sequence: 7, eventId: 'evt_x_007', thisHash: `sha256:${'0'.repeat(64)}` }, runs: 1, signalOutcomes: [] },
    } as CompositionInput;
    const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue: fx.services.env.COORD_TASK_QUEUE!, workflowId: id, args: [forged] });
    await assert.rejects(handle.result(), (err: Error & { cause?: { type?: string; message?: string } }) => {
      assert.equal(err.cause?.type, 'ERR_INVALID_INPUT', String(err.cause?.message));
      return true;
    });
    const mismatched = `cmp_MISMATCH${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`;
    const other = await client.workflow.start(WORKFLOW_TYPE, { taskQueue: fx.services.env.COORD_TASK_QUEUE!, workflowId: mismatched, args: [{ compositionId: 'cmp_SOMEONE_ELSES', compositionType: 'vrs_screening' } as CompositionInput] });
    await assert.rejects(other.result(), (err: Error & { cause?: { type?: string } }) => err.cause?.type === 'ERR_INVALID_INPUT');
  });
});

test('a refused opening does not burn the id: an authorised opener opens it afterwards, the chain unbroken', async () => {
  const id = `cmp_${randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`;
  const open = STEPS[0]!;
  const body = { composition_id: id, composition_type: 'vrs_screening', payload: callerPayload(open) };
  const refused = await fx.http.post<Reply>('/compositions', fx.tokens.agent, body); // an agent may not open a screening
  assert.equal(refused.body.error?.code, 'ERR_ACTOR_TYPE_NOT_ALLOWED', JSON.stringify(refused.body));
  const opened = await fx.http.post<Reply>('/compositions', fx.tokens.human, body);
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const events = distinct(await topicEvents(id));
  assert.deepEqual(events.map((e) => e.schema_id), ['coordination.access_denied.v1', 'composition.requested.v1']);
  assert.equal(events[1]!.prev_hash, events[0]!.this_hash, 'the opening chains onto the recorded refusal');
  await completes(id, 1);
});

test('a refused opener cannot squat an id under another type: the first accepted opening fixes the type', async () => {
  const id = `cmp_${randomUUID().replaceAll('-', '').slice(0, 26).toUpperCase()}`;
  const open = STEPS[0]!;
  const squat = await fx.http.post<Reply>('/compositions', fx.tokens.agent, { composition_id: id, composition_type: 'fusion_run', payload: callerPayload(open) });
  assert.equal(squat.body.error?.code, 'ERR_ACTOR_TYPE_NOT_ALLOWED', JSON.stringify(squat.body));
  const opened = await fx.http.post<Reply>('/compositions', fx.tokens.human, { composition_id: id, composition_type: 'vrs_screening', payload: callerPayload(open) });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  assert.equal((await view(fx.http, id)).composition_type, 'vrs_screening');
  const requested = distinct(await topicEvents(id)).find((e) => e.schema_id === SCHEMA_IDS.requested);
  assert.equal((requested?.payload as { composition_type?: string } | undefined)?.composition_type, 'vrs_screening');
  await completes(id, 1);
});
