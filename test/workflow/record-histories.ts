/**
 * Records the replay corpus: test/fixtures/histories/<kind>.json (issue 14, item 3).
 *
 * README — read before running.
 *   The corpus is what EARLIER workflow code recorded. Its whole point is that later code must replay it
 *   (test/workflow/replay-corpus.test.ts). So:
 *   - Never re-record an existing file to make the replay test pass: that throws away the evidence that a
 *     change is (or is not) compatible with compositions already running in production. This script never
 *     overwrites a file; to re-record one on purpose you would have to delete it, and that needs a reason
 *     in the commit message (e.g. a workflow versioning cut-over after which no older run can exist).
 *   - Rerun it when a NEW code path appears (a new action, a new timer, a new refusal): add a kind to KINDS
 *     below and to EXPECTED_KINDS in replay-corpus.test.ts, run the script, commit only the new files.
 *
 *   Run: COORD_CACHE_DIR=~/.cache/coordination-ledger node --import tsx test/workflow/record-histories.ts [kind …]
 *   (no stack needed: the composition workflow runs on Temporal's time-skipping test server with the fake
 *   activities; with kind names, only those kinds are recorded.)
 *
 * The histories are the server's own (proto3 JSON, the form `temporal workflow show --output json` and the
 * export bundles use), recorded with the default data converter: payloads are plain JSON, so replay needs
 * no key. The "tokens" are the fake verifier's names (`fake:human`, …), never JWTs; the replay test checks
 * that no JWT-shaped string is in any payload. Composition ids are fixed (`cmp_corpus_<kind>`), so a rerun
 * records the same compositions; times come from the test server's clock and differ from run to run.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import '../helpers/quiet-temporal.js';
import type { CompositionActivities } from '../../activities/index.js';
import type { VerifiedIdentity } from '../../activities/jwt/identity.js';
import { historyToJson } from '../../audit/bundle/history-json.js';
import { AGENT, BEACON, FUSION_PIPELINE, HUMAN, SEED_ISSUERS, vrsScreeningSteps, type VrsStep } from '../../audit/examples/vrs-screening.js';
import { eventIdFor } from '../../audit/event-id.js';
import { verify } from '../../audit/verify.js';
import { CoordinationClient, type ActionBody } from '../../client/coordination-client.js';
import { fetchAllRunHistories } from '../../client/histories.js';
import { installTemporalTestServer, registerSearchAttributes, temporalTestServerPath } from '../../infra/stack/components/temporal.js';
import type { AuthContext } from '../../schemas/envelope.js';
import { AUDIT_CORRECT_SCOPE } from '../../schemas/events/correction.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import { LEDGER_FIELDS } from '../../workflows/actions.js';
import { WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { ActionAccepted, ActionName, ActionOutcome, CompositionView } from '../../workflows/types.js';
import { waitFor } from '../helpers/wait.js';
import { fakeActivities } from './helpers/fake-activities.js';

const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const TASK_QUEUE = 'corpus';
const NO_AUDIT_SINK = { audit: { built: { fn: () => undefined } } };

// ---------------------------------------------------------------------------------------------------------
// The cast: §7b's actors (audit/examples/vrs-screening.ts) behind fake tokens.

const auth = (base: Omit<AuthContext, 'scopes'>, scopes: string[]): AuthContext => ({ ...base, scopes });
const humanBase = { jwt_jti: 'jti_8f3a2b1c4d5e6f70', subject: 'user_smith@citi.example', issuer: SEED_ISSUERS.firm, delegation_chain: ['user_smith@citi.example'] };
const screenerBase = {
  jwt_jti: 'jti_a1b2c3d4e5f60718',
  subject: 'service_acct_axonis_screener',
  issuer: SEED_ISSUERS.internal,
  delegation_chain: ['service_acct_axonis_screener', 'user_smith@citi.example'],
};

const TOKENS = {
  human: 'fake:human',
  /** a human without composition_cancel or edition_attest */
  viewer: 'fake:viewer',
  agent: 'fake:agent',
  /** a second agent: may claim, may not emit evidence */
  agent2: 'fake:agent2',
  /** an agent the (fake) PDP denies */
  denied: 'fake:denied-agent',
  pipeline: 'fake:fusion-pipeline',
  beacon: 'fake:beacon',
  partner: 'fake:partner-node',
  forged: 'fake:forged',
  /** the firm's PSI node, with psi_participant (the trust-model kinds: participants need the scope) */
  firmNode: 'fake:firm-node',
  /** the human with audit_correct as well (the correction kinds; `human` keeps its scopes, so other kinds record as before) */
  corrector: 'fake:human-corrector',
} as const;

const IDENTITIES: Record<string, VerifiedIdentity> = {
  [TOKENS.human]: { org: 'firm', actor: HUMAN, auth: auth(humanBase, ['fusion_operator', 'vrs_screening_request', 'edition_attest', 'vrs_screening_review', 'composition_cancel']) },
  [TOKENS.corrector]: { org: 'firm', actor: HUMAN, auth: auth(humanBase, ['fusion_operator', 'vrs_screening_request', 'edition_attest', 'vrs_screening_review', 'composition_cancel', AUDIT_CORRECT_SCOPE]) },
  [TOKENS.viewer]: {
    org: 'firm',
    actor: { type: 'human', id: 'user_jones@citi.example', version: null },
    auth: auth({ ...humanBase, jwt_jti: 'jti_viewer', subject: 'user_jones@citi.example', delegation_chain: ['user_jones@citi.example'] }, ['fusion_operator']),
  },
  [TOKENS.agent]: { org: 'internal', actor: AGENT, auth: auth(screenerBase, ['fusion_operator', 'lease_claim', 'evidence_emit']) },
  [TOKENS.agent2]: {
    org: 'internal',
    actor: { type: 'agent', id: 'agent_vrs_screener_02', version: '1.4.2' },
    auth: auth({ ...screenerBase, jwt_jti: 'jti_screener_02', subject: 'service_acct_axonis_screener_02' }, ['fusion_operator', 'lease_claim']),
  },
  [TOKENS.denied]: {
    org: 'internal',
    actor: { type: 'agent', id: 'agent_quarantined_07', version: '0.9.0' },
    auth: auth({ ...screenerBase, jwt_jti: 'jti_quarantined_07', subject: 'service_acct_quarantined' }, ['fusion_operator', 'lease_claim', 'evidence_emit']),
  },
  [TOKENS.pipeline]: { org: 'internal', actor: FUSION_PIPELINE, auth: auth({ ...screenerBase, jwt_jti: 'jti_fusion_pipeline' }, ['fusion_operator', 'psi_participant']) },
  [TOKENS.beacon]: {
    org: 'firm',
    actor: BEACON,
    auth: auth({ jwt_jti: 'jti_5c7e9a1b3d2f4068', subject: 'svc_beacon@citi.example', issuer: SEED_ISSUERS.firm, delegation_chain: ['svc_beacon@citi.example'] }, ['fusion_operator', 'matches_publish']),
  },
  [TOKENS.firmNode]: {
    org: 'firm',
    actor: { type: 'service', id: 'firm_node_citi_uk', version: null },
    auth: auth({ jwt_jti: 'jti_firm_node_citi_uk', subject: 'firm_node_citi_uk', issuer: SEED_ISSUERS.firm, delegation_chain: ['firm_node_citi_uk'] }, ['psi_participant']),
  },
  [TOKENS.partner]: {
    org: 'partner',
    actor: { type: 'service', id: 'vrs_register_node', version: null },
    auth: auth({ jwt_jti: 'jti_vrs_71e2f8c4d6b09a35', subject: 'vrs_register_node', issuer: SEED_ISSUERS.partner, delegation_chain: ['vrs_register_node'] }, ['psi_participant']),
  },
};

/** The fake activities of the workflow tests, with this cast, a PDP that denies one agent, and a PDP outage on demand. */
function corpusActivities() {
  const { activities: base, published } = fakeActivities();
  const pdp = { failNext: 0 };
  const activities: CompositionActivities = {
    ...base,
    async verifyToken(token) {
      const identity = IDENTITIES[token];
      if (identity) return identity;
      throw ApplicationFailure.create({
        type: 'ERR_JWT_SIGNATURE',
        message: 'signature verification failed (fake verifier)',
        nonRetryable: true,
        details: [{ issuer: 'https://idp.unknown.example', subject: 'mallory', jwt_jti: 'jti_forged', kid: 'k-forged', alg: 'RS256' }],
      });
    },
    async authorize(request) {
      if (pdp.failNext > 0) {
        pdp.failNext -= 1;
        throw new Error('PDP unreachable (fake outage)'); // retryable: the workflow retries it
      }
      const decision = await base.authorize(request);
      return request.principal.id === IDENTITIES[TOKENS.denied]!.actor.id ? { ...decision, outcome: 'DENY' } : decision;
    },
  };
  return { activities, published, pdp };
}

// ---------------------------------------------------------------------------------------------------------
// The §7b steps, as the demo sends them (audit/examples/vrs-screening.ts minus the fields the ledger sets).

const STEPS = vrsScreeningSteps();
const step = (schemaId: string): VrsStep => STEPS.find((s) => s.schemaId === schemaId)!;
const callerPayload = (s: VrsStep) => {
  const ledgerSet = new Set<string>(LEDGER_FIELDS[s.schemaId] ?? []);
  return Object.fromEntries(Object.entries(s.payload).filter(([k]) => !ledgerSet.has(k)));
};
const AGENT_BLOCK = step(SCHEMA_IDS.leaseClaimed).agent!;
const agentOf = (schemaId: string) => STEPS.find((s) => s.schemaId === schemaId)?.agent ?? AGENT_BLOCK;

interface Ctx {
  coord: CoordinationClient;
  env: TestWorkflowEnvironment;
  id: string;
  pdp: { failNext: number };
}

const expectOk = (what: string, o: ActionOutcome) => {
  if (!o.ok) throw new Error(`${what}: expected success, got ${o.code}: ${o.message}`);
  return o;
};
const expectRefused = (what: string, code: string, o: ActionOutcome) => {
  if (o.ok || o.code !== code) throw new Error(`${what}: expected ${code}, got ${JSON.stringify(o)}`);
  return o;
};

const act = (c: Ctx, action: Exclude<ActionName, 'request'>, token: string, body: ActionBody) => c.coord.act(c.id, action, token, body);
const open = (c: Ctx, opts: { historyLimit?: number; token?: string; payload?: Record<string, unknown> } = {}) =>
  c.coord.start(opts.token ?? TOKENS.human, {
    compositionId: c.id,
    compositionType: 'vrs_screening',
    payload: opts.payload ?? callerPayload(step(SCHEMA_IDS.requested)),
    ...(opts.historyLimit ? { historyLimit: opts.historyLimit } : {}),
  });
const claim = (c: Ctx, token: string = TOKENS.agent, window = 1800) => act(c, 'claim', token, { payload: { lease_window_seconds: window }, agent: AGENT_BLOCK });
const renew = (c: Ctx, token: string = TOKENS.agent, window = 1800) => act(c, 'renew', token, { payload: { lease_window_seconds: window }, agent: agentOf(SCHEMA_IDS.leaseRenewed) });
const release = (c: Ctx, reason: 'completed' | 'abandoned' | 'handed_over' = 'completed') => act(c, 'release', TOKENS.agent, { payload: { reason }, agent: agentOf(SCHEMA_IDS.leaseReleased) });
const report = (c: Ctx, schemaId: string, token: string = TOKENS.agent, extra: Partial<ActionBody> = {}) =>
  act(c, 'report', token, {
    schemaId,
    payload: schemaId === SCHEMA_IDS.workStarted ? { work_ref: 'vrs_screening_FIRM-CUST-789012' } : callerPayload(step(schemaId)),
    ...(token === TOKENS.agent ? { agent: agentOf(schemaId) } : {}),
    ...extra,
  });
const psi = (c: Ctx) => report(c, SCHEMA_IDS.psiRoundCompleted, TOKENS.pipeline, { participantTokens: { node_a: TOKENS.partner, node_b: TOKENS.human } });
/** The PSI round as the trust-model rules want it: both participant tokens carry psi_participant. */
const psiChecked = (c: Ctx) => report(c, SCHEMA_IDS.psiRoundCompleted, TOKENS.pipeline, { participantTokens: { node_a: TOKENS.partner, node_b: TOKENS.firmNode } });
const evidence = (c: Ctx) => act(c, 'evidence', TOKENS.agent, { payload: callerPayload(step(SCHEMA_IDS.evidenceBlockEmitted)), agent: agentOf(SCHEMA_IDS.evidenceBlockEmitted) });
const attestBody = (): ActionBody => ({ payload: callerPayload(step(SCHEMA_IDS.closed)) });
const attest = (c: Ctx) => act(c, 'attest', TOKENS.human, attestBody());
const cancel = (c: Ctx, reason = 'customer withdrew the request') => act(c, 'cancel', TOKENS.human, { payload: { reason } });
/** A correction by the human holding audit_correct, naming `target` by the id and hash its action returned. */
const correct = (c: Ctx, target: Pick<ActionAccepted, 'event_id' | 'this_hash'>, corrected: Record<string, unknown>, reason: string, token: string = TOKENS.corrector) =>
  c.coord.correct(c.id, token, { supersedes: target.event_id, supersedes_hash: target.this_hash, reason, corrected });
const state = (c: Ctx): Promise<CompositionView> => c.coord.read(c.id);
const waitState = (c: Ctx, wanted: string, what: string) => waitFor(async () => ((await state(c)).state === wanted ? true : undefined), { what });

/** §7b from the claim to the released lease: work, lens run, PSI round, evidence, matches published, release. */
async function workToRelease(c: Ctx, psiRound = psi) {
  expectOk('claim', await claim(c));
  expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
  expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
  expectOk('psi round', await psiRound(c));
  expectOk('lens run completed', await report(c, SCHEMA_IDS.lensRunCompleted));
  expectOk('evidence', await evidence(c));
  expectOk('matches published', await report(c, SCHEMA_IDS.matchesPublished, TOKENS.beacon));
  expectOk('release', await release(c));
}

// ---------------------------------------------------------------------------------------------------------
// The kinds: one composition each. `end` says how the recording leaves it: finished by the workflow itself,
// or left running (recorded as it is, then terminated so its timer does not hold the test server's clock).

interface Kind {
  name: string;
  what: string;
  run: (c: Ctx) => Promise<void>;
  /** default 'finished': the script waits for the workflow to complete */
  end?: 'finished' | 'running';
}

const KINDS: Kind[] = [
  {
    name: 'happy-path-attest-update',
    what: '§7b: requested → claim → work started → lens run → PSI round with participant tokens → lens run completed → evidence → matches published → release → closed by the attest update',
    async run(c) {
      expectOk('request', await open(c));
      await workToRelease(c);
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'happy-path-attest-signal',
    what: '§7b closed through attestSignal; a first signal before the evidence is refused (ERR_WRONG_STATE) and its outcome kept',
    async run(c) {
      expectOk('request', await open(c));
      const early = await c.coord.attestBySignal(c.id, TOKENS.human, attestBody(), 'corpus-signal-early');
      await waitFor(async () => (await c.coord.signalOutcome(c.id, early)) ?? undefined, { what: 'the early signal outcome' });
      expectRefused('early attest signal', 'ERR_WRONG_STATE', (await c.coord.signalOutcome(c.id, early))!);
      await workToRelease(c);
      await c.coord.attestBySignal(c.id, TOKENS.human, attestBody(), 'corpus-signal-attest');
    },
  },
  {
    name: 'refusal-bad-token',
    what: 'a claim with a token that does not verify (ERR_JWT_SIGNATURE, unverified hints recorded), then a PSI round whose participant token does not verify',
    async run(c) {
      expectOk('request', await open(c));
      expectRefused('forged claim', 'ERR_JWT_SIGNATURE', await claim(c, TOKENS.forged));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectRefused('forged participant', 'ERR_JWT_SIGNATURE', await report(c, SCHEMA_IDS.psiRoundCompleted, TOKENS.pipeline, { participantTokens: { node_a: TOKENS.forged, node_b: TOKENS.human } }));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-missing-scope',
    what: 'evidence by an agent without evidence_emit, cancel by a human without composition_cancel (ERR_SCOPE_MISSING)',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c, TOKENS.agent2));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted, TOKENS.agent2, { agent: AGENT_BLOCK }));
      expectRefused('evidence without scope', 'ERR_SCOPE_MISSING', await act(c, 'evidence', TOKENS.agent2, { payload: callerPayload(step(SCHEMA_IDS.evidenceBlockEmitted)), agent: AGENT_BLOCK }));
      expectRefused('cancel without scope', 'ERR_SCOPE_MISSING', await act(c, 'cancel', TOKENS.viewer, { payload: { reason: 'not mine to cancel' } }));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-abac-deny',
    what: 'a claim the PDP denies (ERR_ABAC_DENY, the decision recorded)',
    async run(c) {
      expectOk('request', await open(c));
      expectRefused('denied claim', 'ERR_ABAC_DENY', await claim(c, TOKENS.denied));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-wrong-state',
    what: 'attest in requested (ERR_WRONG_STATE), work started by a human (ERR_ACTOR_TYPE_NOT_ALLOWED), a second claim (ERR_LEASE_HELD)',
    async run(c) {
      expectOk('request', await open(c));
      expectRefused('attest too early', 'ERR_WRONG_STATE', await attest(c));
      expectRefused('human reports work', 'ERR_ACTOR_TYPE_NOT_ALLOWED', await report(c, SCHEMA_IDS.workStarted, TOKENS.human));
      expectOk('claim', await claim(c));
      expectRefused('second claim', 'ERR_LEASE_HELD', await claim(c, TOKENS.agent2));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-not-lease-holder',
    what: 'renew and release by an agent that does not hold the lease (ERR_NOT_LEASE_HOLDER)',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectRefused('renew by another agent', 'ERR_NOT_LEASE_HOLDER', await renew(c, TOKENS.agent2));
      expectRefused('release by another agent', 'ERR_NOT_LEASE_HOLDER', await act(c, 'release', TOKENS.agent2, { payload: {}, agent: AGENT_BLOCK }));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-ledger-field',
    what: 'a claim naming its own lease_holder (ERR_INVALID_PAYLOAD: set by the ledger)',
    async run(c) {
      expectOk('request', await open(c));
      expectRefused('caller-set lease_holder', 'ERR_INVALID_PAYLOAD', await act(c, 'claim', TOKENS.agent, { payload: { lease_holder: 'agent_someone_else', lease_window_seconds: 1800 }, agent: AGENT_BLOCK }));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'refusal-invalid-payload',
    what: 'ERR_INVALID_PAYLOAD before any activity (report without schema_id), after the PDP (PSI round without participant tokens), and from event validation (an agent without its provenance block)',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectRefused('report without schema', 'ERR_INVALID_PAYLOAD', await act(c, 'report', TOKENS.agent, { payload: {}, agent: AGENT_BLOCK }));
      expectRefused('psi without participants', 'ERR_INVALID_PAYLOAD', await report(c, SCHEMA_IDS.psiRoundCompleted, TOKENS.pipeline));
      expectRefused('agent without agent block', 'ERR_INVALID_PAYLOAD', await act(c, 'report', TOKENS.agent, { schemaId: SCHEMA_IDS.lensRunStarted, payload: callerPayload(step(SCHEMA_IDS.lensRunStarted)) }));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'opening-refused',
    what: 'the opening request refused (a token without a verifiable signature): access_denied recorded, the workflow ends with state none',
    async run(c) {
      expectRefused('opening', 'ERR_JWT_SIGNATURE', await open(c, { token: TOKENS.forged }));
    },
  },
  {
    name: 'opening-timeout',
    what: 'a workflow started without its opening request: it ends after the opening timeout (1 h of workflow time)',
    async run(c) {
      await c.env.client.workflow.start(WORKFLOW_TYPE, { workflowId: c.id, taskQueue: TASK_QUEUE, args: [{ compositionId: c.id, compositionType: 'vrs_screening' }] });
      await c.env.sleep('3601s');
    },
  },
  {
    name: 'lease-expiry',
    what: 'a 1800 s lease expires on the timer (lease_expired by the ledger), then another agent claims; cancelled',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      await c.env.sleep('1801s');
      await waitState(c, 'requested', 'the lease to expire');
      expectOk('new claim', await claim(c, TOKENS.agent2));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'lease-expiry-in-evidence',
    what: 'the lease expires after the evidence (the state stays evidence), then the human attests',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c, TOKENS.agent, 600));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('evidence', await evidence(c));
      await c.env.sleep('601s');
      await waitFor(async () => ((await state(c)).lease === null ? true : undefined), { what: 'the lease to expire in evidence' });
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'lease-renew-release',
    what: 'a renewal before expiry extends the lease (no expiry at the original deadline), a release returns to requested, a new claim, then the renewed lease is released in progress',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      await c.env.sleep('1700s');
      expectOk('renew', await renew(c));
      await c.env.sleep('200s'); // past the original deadline: still leased
      if ((await state(c)).state !== 'leased') throw new Error('the renewed lease expired at the original deadline');
      expectOk('release', await release(c, 'handed_over'));
      expectOk('claim again', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('renew in progress', await renew(c, TOKENS.agent, 3600));
      expectOk('release in progress', await release(c, 'abandoned'));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'evidence-rejected-resumed',
    what: 'evidence rejected by the human after the release; progress without a lease refused (ERR_NO_LEASE); a new lease in progress; new evidence; closed',
    async run(c) {
      expectOk('request', await open(c));
      await workToRelease(c);
      expectOk('reject', await act(c, 'reject', TOKENS.human, { payload: { evidence_block_ref: step(SCHEMA_IDS.evidenceBlockEmitted).payload.block_id as string, reason: 'false positives above tolerance' } }));
      expectRefused('lens run without lease', 'ERR_NO_LEASE', await report(c, SCHEMA_IDS.lensRunStarted));
      expectOk('claim in progress', await claim(c));
      expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
      expectOk('lens run completed', await report(c, SCHEMA_IDS.lensRunCompleted));
      expectOk('evidence again', await evidence(c));
      expectOk('release', await release(c));
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'cancel',
    what: 'a human cancels a leased composition (the lease cleared, terminal)',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'concurrent-claims',
    what: 'two claims at once: the mutex serializes them, one wins, the other is refused (ERR_LEASE_HELD); cancelled',
    async run(c) {
      expectOk('request', await open(c));
      const outcomes = await Promise.all([claim(c, TOKENS.agent), claim(c, TOKENS.agent2)]);
      if (outcomes.filter((o) => o.ok).length !== 1) throw new Error(`concurrent claims: ${JSON.stringify(outcomes)}`);
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'pdp-outage-retried',
    what: 'the PDP fails twice during a claim: the activity is retried (never defaulted), then the claim succeeds; cancelled',
    async run(c) {
      expectOk('request', await open(c));
      c.pdp.failNext = 2;
      expectOk('claim through an outage', await claim(c));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'continue-as-new',
    what: 'historyLimit 60: renewals push the history over the limit, the workflow continues as new twice (the lease timer running across runs, an attest signal outcome carried), the lease expires in the last run, a new claim, cancelled',
    async run(c) {
      expectOk('request', await open(c, { historyLimit: 60 }));
      const early = await c.coord.attestBySignal(c.id, TOKENS.human, attestBody(), 'corpus-signal-carried');
      await waitFor(async () => (await c.coord.signalOutcome(c.id, early)) ?? undefined, { what: 'the signal outcome' });
      expectOk('claim', await claim(c));
      for (let i = 0; (await state(c)).runs < 3; i++) {
        if (i > 20) throw new Error('fewer than two continue-as-new after 20 renewals');
        expectOk(`renew ${i}`, await renew(c));
      }
      if (!(await c.coord.signalOutcome(c.id, early))) throw new Error('the signal outcome was not carried across runs');
      await c.env.sleep('1801s');
      await waitState(c, 'requested', 'the lease to expire in a continued run');
      expectOk('new claim', await claim(c, TOKENS.agent2));
      expectOk('cancel', await cancel(c));
    },
  },
  // Recorded after the trust-model rules (patched('trust-model-2026-12')): the same paths under the new rules.
  {
    name: 'trust-happy-path',
    what: '§7b under the trust-model rules: lease bound to (issuer, id), holder-only work, PSI participants checked, evidence reference checked on close',
    async run(c) {
      expectOk('request', await open(c));
      await workToRelease(c, psiChecked);
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'trust-opening-refused-then-opened',
    what: 'an opening refused (forged token) under another composition type keeps the id: the workflow waits, an authorised opener opens it as vrs_screening, then cancels',
    async run(c) {
      expectRefused('squatting opening', 'ERR_JWT_SIGNATURE', await c.coord.start(TOKENS.forged, { compositionId: c.id, compositionType: 'fusion_run', payload: callerPayload(step(SCHEMA_IDS.requested)) }));
      expectOk('request', await open(c));
      if ((await state(c)).composition_type !== 'vrs_screening') throw new Error('the first accepted opening must fix the type');
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'trust-holder-only-and-evidence-mismatch',
    what: 'work reported by an agent that does not hold the lease (ERR_NOT_LEASE_HOLDER); closing naming a block never emitted (ERR_EVIDENCE_MISMATCH), then the genuine close',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectRefused('work by another agent', 'ERR_NOT_LEASE_HOLDER', await report(c, SCHEMA_IDS.workStarted, TOKENS.agent2, { agent: AGENT_BLOCK }));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
      expectOk('psi round', await psiChecked(c));
      expectOk('lens run completed', await report(c, SCHEMA_IDS.lensRunCompleted));
      expectOk('evidence', await evidence(c));
      expectOk('matches published', await report(c, SCHEMA_IDS.matchesPublished, TOKENS.beacon));
      expectOk('release', await release(c));
      const body = attestBody();
      expectRefused('close naming another block', 'ERR_EVIDENCE_MISMATCH', await act(c, 'attest', TOKENS.human, { payload: { ...body.payload, evidence_block_ref: 'blk_never_emitted' } }));
      expectOk('attest', await attest(c));
    },
  },
  // Recorded after the fast path (patched('fast-path-2026-12')): side effects as local activities, one
  // workflow task per transition; the slow path when a dependency outlasts the local retry budget.
  {
    name: 'fast-happy-path',
    what: '§7b on the fast path: every token check, PDP decision and audit publish a local activity (markers, no activity tasks)',
    async run(c) {
      expectOk('request', await open(c));
      await workToRelease(c, psiChecked);
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'fast-refusals',
    what: 'refusals on the fast path: a forged token, a PDP deny, a wrong-state action, each recorded; cancelled',
    async run(c) {
      expectOk('request', await open(c));
      expectRefused('forged token', 'ERR_JWT_SIGNATURE', await claim(c, TOKENS.forged));
      expectRefused('PDP deny', 'ERR_ABAC_DENY', await claim(c, TOKENS.denied));
      expectRefused('evidence before a claim', 'ERR_WRONG_STATE', await evidence(c));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'fast-pdp-outage-slow-path',
    what: 'the PDP fails past the local retry budget during a claim: the step moves to a regular activity (WaitingFor=pdp), retried until it answers; cancelled',
    async run(c) {
      expectOk('request', await open(c));
      c.pdp.failNext = 5;
      expectOk('claim through an outage', await claim(c));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'fast-lease-expiry',
    what: 'a lease expires on the fast path (the expiry event published by a local activity), then a new claim; cancelled',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      await c.env.sleep('1801s');
      await waitState(c, 'requested', 'the lease to expire');
      expectOk('new claim', await claim(c, TOKENS.agent2));
      expectOk('cancel', await cancel(c));
    },
  },
  {
    name: 'fast-open-mid-lease',
    what: 'left open mid-lease on the fast path (in progress, the lease timer pending): an incomplete history',
    end: 'running',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
    },
  },
  {
    name: 'open-mid-lease',
    what: 'left open mid-lease (in progress, the lease timer pending): recorded as it is, an incomplete history',
    end: 'running',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
    },
  },
  // Recorded after corrections (coordination.correction.v1, workflows/correction-target.ts): a human links a
  // new record to an earlier event by its id and hash; the earlier event stays as recorded.
  {
    name: 'fast-correction',
    what: 'the lens run completed event corrected twice by a human with audit_correct (match_count, each naming the event by id and this_hash), then §7b carried on to the close',
    async run(c) {
      expectOk('request', await open(c));
      expectOk('claim', await claim(c));
      expectOk('work started', await report(c, SCHEMA_IDS.workStarted));
      expectOk('lens run started', await report(c, SCHEMA_IDS.lensRunStarted));
      expectOk('psi round', await psiChecked(c));
      const completed = expectOk('lens run completed', await report(c, SCHEMA_IDS.lensRunCompleted));
      expectOk('correction', await correct(c, completed, { match_count: 4993 }, 'two matches were duplicates of one register entry'));
      expectOk('second correction', await correct(c, completed, { match_count: 4994 }, 'the second review restored one of the two'));
      expectOk('evidence', await evidence(c));
      expectOk('matches published', await report(c, SCHEMA_IDS.matchesPublished, TOKENS.beacon));
      expectOk('release', await release(c));
      expectOk('attest', await attest(c));
    },
  },
  {
    name: 'fast-correction-refusals',
    what: 'the opening event corrected, then refused corrections: of that correction (ERR_CORRECTION_OF_CORRECTION), of another composition\'s event (ERR_CORRECTION_TARGET_FOREIGN), with a wrong hash (ERR_CORRECTION_HASH_MISMATCH), of an event not yet recorded (ERR_CORRECTION_TARGET_UNKNOWN), of a refusal record (ERR_CORRECTION_TARGET_INVALID), by a human without audit_correct (ERR_SCOPE_MISSING); then a genuine correction; cancelled',
    async run(c) {
      const opening = expectOk('request', await open(c));
      const claimed = expectOk('claim', await claim(c));
      const first = expectOk('correction', await correct(c, opening, { customer_internal_ref: 'FIRM-CUST-789021' }, 'the reference was transposed at intake'));
      expectRefused('correction of a correction', 'ERR_CORRECTION_OF_CORRECTION', await correct(c, first, { customer_internal_ref: 'FIRM-CUST-789012' }, 'undo the correction'));
      const foreign = expectRefused('foreign target', 'ERR_CORRECTION_TARGET_FOREIGN', await correct(c, { event_id: eventIdFor('cmp_corpus_another_composition', 1), this_hash: opening.this_hash }, { lens_version: '2.0.1' }, 'wrong composition'));
      expectRefused('hash mismatch', 'ERR_CORRECTION_HASH_MISMATCH', await correct(c, { event_id: opening.event_id, this_hash: claimed.this_hash }, { lens_version: '2.0.1' }, 'names the opening with the claim\'s hash'));
      expectRefused('unknown target', 'ERR_CORRECTION_TARGET_UNKNOWN', await correct(c, { event_id: eventIdFor(c.id, 999), this_hash: opening.this_hash }, { lens_version: '2.0.1' }, 'an event not yet recorded'));
      const refusalRecord = { event_id: foreign.audit_event_id, this_hash: opening.this_hash }; // any hash: a refusal record is refused first
      expectRefused('correction of a refusal record', 'ERR_CORRECTION_TARGET_INVALID', await correct(c, refusalRecord, { lens_version: '2.0.1' }, 'a refusal is not corrected'));
      expectRefused('correction without audit_correct', 'ERR_SCOPE_MISSING', await correct(c, opening, { lens_version: '2.0.1' }, 'not mine to correct', TOKENS.human));
      expectOk('genuine correction', await correct(c, opening, { screening_purpose: 'fca_consumer_duty_vulnerability_review' }, 'the purpose names the review, not the check'));
      expectOk('cancel', await cancel(c));
    },
  },
];

/** The proto3 JSON history, one event per line: compact, and a diff or a grep shows events. */
function historyFile(history: Parameters<typeof historyToJson>[0]): string {
  const { events, ...rest } = historyToJson(history) as { events: unknown[] };
  if (Object.keys(rest).length) throw new Error(`unexpected history fields: ${Object.keys(rest).join(', ')}`);
  return `{"events":[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

/** A history's file name: `<kind>.json`, or `<kind>-run<n>.json` when the composition has several runs. */
const fileNames = (kind: string, runs: number) => (runs === 1 ? [`${kind}.json`] : Array.from({ length: runs }, (_, i) => `${kind}-run${i + 1}.json`));

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((k) => !KINDS.some((kind) => kind.name === k));
  if (unknown.length) throw new Error(`unknown kind(s): ${unknown.join(', ')}`);
  mkdirSync(HISTORIES_DIR, { recursive: true });

  await installTemporalTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  try {
    await registerSearchAttributes(env.connection);
    const { activities, published, pdp } = corpusActivities();
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowsPath, activities, sinks: NO_AUDIT_SINK });
    const coord = new CoordinationClient(env.client, TASK_QUEUE);
    await worker.runUntil(async () => {
      for (const kind of KINDS.filter((k) => only.length === 0 || only.includes(k.name))) {
        const c: Ctx = { coord, env, id: `cmp_corpus_${kind.name.replaceAll('-', '_')}`, pdp };
        const from = published.length;
        await kind.run(c);
        const handle = env.client.workflow.getHandle(c.id);
        if ((kind.end ?? 'finished') === 'finished') {
          await waitFor(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), { what: `${kind.name} to finish` });
        } else if ((await handle.describe()).status.name !== 'RUNNING') {
          throw new Error(`${kind.name} should be left running`);
        }
        const events = published.slice(from);
        const chain = verify(events);
        if (!chain.ok) throw new Error(`${kind.name}: the published chain does not verify: ${JSON.stringify(chain.first_break)}`);

        const histories = await fetchAllRunHistories(env.client, c.id);
        if (kind.end === 'running') await handle.terminate('recorded for the replay corpus').catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
        const names = fileNames(kind.name, histories.length);
        const summary = `${events.length} events, ${histories.length} run(s), ${histories.reduce((n, h) => n + (h.events?.length ?? 0), 0)} history events`;
        names.forEach((name, i) => {
          const path = join(HISTORIES_DIR, name);
          if (existsSync(path)) {
            console.log(`kept     ${name} (exists; the corpus is never re-recorded)`);
            return;
          }
          writeFileSync(path, historyFile(histories[i]!));
          console.log(`recorded ${name} — ${kind.name}: ${summary}`);
        });
      }
    });
  } finally {
    await env.teardown();
  }
}

await main();
