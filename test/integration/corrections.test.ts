// Corrections on the real stack (issue 16 item 5): a human with audit_correct corrects a lens run's result
// over HTTP — a new event linking the old one by id and hash, nothing updated; without the scope, as an
// agent, of a correction, of another composition's event or with the wrong hash it is refused with a stable
// code and recorded, and the composition takes its next genuine step at once. The ledger shows the
// corrected value in the current view and the recorded one in the historical view; the chain still verifies.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { CurrentEvent } from '../../audit/corrections.js';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { verifyEntries } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { mintToken } from '../../infra/idp/client.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import type { ActionAccepted } from '../../workflows/types.js';
import { Services } from '../../workers/services.js';
import { AGENT_BLOCK, view } from '../helpers/compositions.js';
import { scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const STEPS = vrsScreeningSteps();
const stepIndex = (schemaId: string) => STEPS.findIndex((s) => s.schemaId === schemaId);
const AFTER_LENS_RUN = stepIndex(SCHEMA_IDS.lensRunCompleted) + 1;

let services: Services;
let http: GatewayHttp;
let tokens: VrsTokens;
let auditor: string;

before(async () => {
  await stackReady();
  const topic = await scratchTopic('corrections');
  services = await Services.start({
    taskQueue: `it-corrections-${randomUUID().slice(0, 8)}`,
    tag: 'test-corrections',
    ledger: true,
    env: { COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: scratchLedgerUrl() },
  });
  tokens = await mintVrsTokens();
  // reads need a token too: the firm's human reads
  http = new GatewayHttp(services.gatewayUrl, tokens.human);
  auditor = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_correct', 'audit_read'] });
});
after(async () => services?.stop());

/** A fresh composition driven through the lens run's completion; returns it and that event's id and hash. */
async function afterLensRun(): Promise<{ id: string; lensRun: ActionAccepted }> {
  const id = newCompositionId();
  let lensRun: ActionAccepted | undefined;
  for (const step of STEPS.slice(0, AFTER_LENS_RUN)) {
    const { status, body } = await runStep(http, step, tokens, id);
    assert.ok(status < 300, `${step.schemaId}: ${JSON.stringify(body)}`);
    if (step.schemaId === SCHEMA_IDS.lensRunCompleted) lensRun = body as unknown as ActionAccepted;
  }
  return { id, lensRun: lensRun! };
}

interface Reply {
  composition_id?: string;
  event_id?: string;
  schema_id?: string;
  state?: string;
  this_hash?: string;
  error?: { code: string; message: string; path?: string; audit_event_id?: string };
}

const correct = (id: string, token: string, payload: Record<string, unknown>) => http.post<Reply>(`/compositions/${id}/corrections`, token, { payload });

/** Every event of the composition from the ledger, in the view asked for, once the ledger holds `count` of them. */
async function ledgerEvents(id: string, viewName: 'current' | 'historical', count: number): Promise<CurrentEvent<AuditEvent>[]> {
  return waitFor(
    async () => {
      const res = await http.get<{ events: CurrentEvent<AuditEvent>[] }>(`/audit/events?composition_id=${id}&view=${viewName}&limit=1000`, auditor);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.events.length >= count ? res.body.events : undefined;
    },
    { what: `${count} events of ${id} in the ledger`, timeoutMs: 60_000 },
  );
}

/** The attempt is refused with `code`, recorded as the composition's next event, and changes neither state nor lease. */
async function refusedAndRecorded(id: string, attempt: () => Promise<{ status: number; body: Reply }>, code: string, status: number): Promise<void> {
  const before = await view(http, id);
  const reply = await attempt();
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.error?.code, code, JSON.stringify(reply.body));
  const after = await view(http, id);
  assert.deepEqual([after.state, after.lease], [before.state, before.lease], 'state and lease unchanged');
  assert.equal(after.sequence, before.sequence + 1, 'only the refusal was recorded');
  assert.equal(reply.body.error?.audit_event_id, after.last_event_id, 'the refusal is the last event');
}

test('a human with audit_correct corrects a lens run; refusals are coded and recorded; the ledger offers both views; the chain verifies', async () => {
  const { id, lensRun } = await afterLensRun();
  const original = STEPS[stepIndex(SCHEMA_IDS.lensRunCompleted)]!.payload as { match_count: number };
  const link = { supersedes: lensRun.event_id, supersedes_hash: lensRun.this_hash };

  const ok = await correct(id, auditor, { ...link, reason: 'the lens miscounted: one match was a duplicate', corrected: { match_count: original.match_count - 1 } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.schema_id, SCHEMA_IDS.correction);
  assert.equal(ok.body.state, 'in_progress', 'a correction changes no state');
  const firstCorrection = ok.body.event_id!;

  // without the scope (the §7b human attests, it does not correct), as an agent, and hostile targets
  await refusedAndRecorded(id, () => correct(id, tokens.human, { ...link, reason: 'r', corrected: { match_count: 0 } }), 'ERR_SCOPE_MISSING', 403);
  const agent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['audit_correct', 'fusion_operator'], claims: { client_id: 'agent_vrs_screener_01', software_version: '1.4.2' } });
  await refusedAndRecorded(id, () => http.post<Reply>(`/compositions/${id}/corrections`, agent, { payload: { ...link, reason: 'r', corrected: { match_count: 0 } }, agent: AGENT_BLOCK }), 'ERR_ABAC_DENY', 403);
  await refusedAndRecorded(id, () => correct(id, auditor, { supersedes: firstCorrection, supersedes_hash: ok.body.this_hash, reason: 'r', corrected: { reason: 'rewritten' } }), 'ERR_CORRECTION_OF_CORRECTION', 422);
  const other = await afterLensRun();
  await refusedAndRecorded(id, () => correct(id, auditor, { supersedes: other.lensRun.event_id, supersedes_hash: other.lensRun.this_hash, reason: 'r', corrected: { match_count: 0 } }), 'ERR_CORRECTION_TARGET_FOREIGN', 422);
  await refusedAndRecorded(id, () => correct(id, auditor, { ...link, supersedes_hash: other.lensRun.this_hash, reason: 'r', corrected: { match_count: 0 } }), 'ERR_CORRECTION_HASH_MISMATCH', 409);
  await refusedAndRecorded(id, () => correct(id, auditor, { ...link, reason: 'r', corrected: { match_count: -5 } }), 'ERR_INVALID_PAYLOAD', 422);

  // a body the gateway can judge alone is refused with the field path, before anything is recorded
  const before = await view(http, id);
  const noReason = await correct(id, auditor, { ...link, corrected: { match_count: 1 } });
  assert.deepEqual([noReason.status, noReason.body.error?.code, noReason.body.error?.path], [422, 'ERR_INVALID_PAYLOAD', 'payload.reason']);
  assert.equal((await view(http, id)).sequence, before.sequence);

  // a second correction of the original event is allowed, and the latest wins in the current view
  const second = await correct(id, auditor, { ...link, reason: 'recounted again', corrected: { match_count: original.match_count - 2 } });
  assert.equal(second.status, 200, JSON.stringify(second.body));

  // the refusals moved nothing: the next genuine step (evidence) is accepted at once
  const evidence = await runStep(http, STEPS[AFTER_LENS_RUN]!, tokens, id);
  assert.ok(evidence.status < 300, JSON.stringify(evidence.body));

  const count = (await view(http, id)).sequence;
  const historical = await ledgerEvents(id, 'historical', count);
  const current = await ledgerEvents(id, 'current', count);
  const recorded = historical.find((e) => e.event_id === lensRun.event_id)!;
  assert.equal((recorded.payload as { match_count: number }).match_count, original.match_count, 'historical: as recorded');
  assert.equal(recorded.superseded_by, undefined);
  const corrected = current.find((e) => e.event_id === lensRun.event_id)!;
  assert.equal((corrected.payload as { match_count: number }).match_count, original.match_count - 2, 'current: the latest correction');
  assert.equal(corrected.superseded_by, second.body.event_id);
  assert.equal(corrected.correction_reason, 'recounted again');
  const link1 = historical.find((e) => e.event_id === firstCorrection)!;
  assert.deepEqual(link1.payload, { ...link, reason: 'the lens miscounted: one match was a duplicate', corrected: { match_count: original.match_count - 1 } });
  assert.deepEqual(link1.actor, { type: 'human', id: 'auditor@citi.example', version: null });
  const refusals = historical.filter((e) => e.schema_id === SCHEMA_IDS.accessDenied).map((e) => (e.payload as { reason_code: string }).reason_code);
  assert.deepEqual(refusals, ['ERR_SCOPE_MISSING', 'ERR_ABAC_DENY', 'ERR_CORRECTION_OF_CORRECTION', 'ERR_CORRECTION_TARGET_FOREIGN', 'ERR_CORRECTION_HASH_MISMATCH', 'ERR_INVALID_PAYLOAD']);
  const chain = verifyEntries(historical.map((value, index) => ({ index, value })));
  assert.equal(chain.ok, true, JSON.stringify(chain.first_break));

  const badView = await http.get<Reply>(`/audit/events?composition_id=${id}&view=latest`, auditor);
  assert.deepEqual([badView.status, badView.body.error?.path], [400, 'query.view']);
});

test('a composition that has ended takes no correction: 409 ERR_COMPOSITION_CLOSED', async () => {
  const { id, lensRun } = await afterLensRun();
  for (const step of STEPS.slice(AFTER_LENS_RUN)) {
    const reply = await runStep(http, step, tokens, id);
    assert.ok(reply.status < 300, `${step.schemaId}: ${JSON.stringify(reply.body)}`);
  }
  assert.equal((await view(http, id)).state, 'closed');
  const late = await correct(id, auditor, { supersedes: lensRun.event_id, supersedes_hash: lensRun.this_hash, reason: 'too late', corrected: { match_count: 1 } });
  assert.deepEqual([late.status, late.body.error?.code], [409, 'ERR_COMPOSITION_CLOSED']);
});
