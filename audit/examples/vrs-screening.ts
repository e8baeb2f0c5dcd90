/**
 * The seed's §7b worked example — an agent-driven VRS screening with federated SSO — as data: the nine
 * steps of its sequence (ARCHITECTURE §4: the sequence wins over the seed's "8 events"), with the seed's
 * identities, scopes and payloads. Events 3, 5, 7 and 8 are not shown in the seed; their payloads are ours,
 * in the same by-reference spirit. `buildVrsExample()` chains the steps with real hashes; the demo drives the
 * same steps through the gateway with real tokens.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { AbacDecision, Actor, AgentProvenance, AuthContext } from '../../schemas/envelope.js';
import { SCHEMA_IDS, type SchemaId } from '../../schemas/schema-ids.js';
import { sha256Ref } from '../canonical.js';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../chain.js';

export const VRS_COMPOSITION_ID = 'cmp_01HZQ4XY2N7K8R3V5W6P9T2QSL';

/** Issuers as the seed names them (the demo uses the dev IdPs' issuer URLs instead). */
export const SEED_ISSUERS = { firm: 'idp.citi.example', partner: 'idp.vrs.example', internal: 'idp.axonis.internal' } as const;

/** A stand-in content hash for by-reference fields (prompts, responses, queries, results). */
const ref = (what: string) => sha256Ref(utf8ToBytes(`vrs-example:${what}`));

export const HUMAN: Actor = { type: 'human', id: 'user_smith@citi.example', version: null };
export const AGENT: Actor = { type: 'agent', id: 'agent_vrs_screener_01', version: '1.4.2' };
export const FUSION_PIPELINE: Actor = { type: 'service', id: 'parallax.fusion_pipeline', version: '1.13.0' };
export const BEACON: Actor = { type: 'service', id: 'firm.beacon', version: '3.2.0' };

const agentRun = (step: string, tools: string[]): AgentProvenance => ({
  model_id: 'claude-opus-4-7',
  prompt_hash: ref(`prompt:${step}`),
  temperature: 0.0,
  seed: 42,
  response_hash: ref(`response:${step}`),
  tool_call_chain: tools,
});

const humanAuth = (scopes: string[], withTimes: boolean): AuthContext => ({
  jwt_jti: 'jti_8f3a2b1c4d5e6f70',
  subject: 'user_smith@citi.example',
  scopes,
  issuer: SEED_ISSUERS.firm,
  ...(withTimes ? { issued_at: '2026-04-30T13:55:00Z', expires_at: '2026-04-30T15:55:00Z' } : {}),
  delegation_chain: ['user_smith@citi.example'],
});

const screenerAuth = (scopes: string[], withTimes: boolean): AuthContext => ({
  jwt_jti: 'jti_a1b2c3d4e5f60718',
  subject: 'service_acct_axonis_screener',
  scopes,
  issuer: SEED_ISSUERS.internal,
  ...(withTimes ? { issued_at: '2026-04-30T14:00:00Z', expires_at: '2026-04-30T15:00:00Z' } : {}),
  delegation_chain: ['service_acct_axonis_screener', 'user_smith@citi.example'],
});

const beaconAuth: AuthContext = {
  jwt_jti: 'jti_5c7e9a1b3d2f4068',
  subject: 'svc_beacon@citi.example',
  scopes: ['fusion_operator', 'matches_publish'],
  issuer: SEED_ISSUERS.firm,
  issued_at: '2026-04-30T14:00:00Z',
  expires_at: '2026-04-30T15:00:00Z',
  delegation_chain: ['svc_beacon@citi.example'],
};

const allow = (evaluatedAt: string, udsEvalId: string): AbacDecision => ({ outcome: 'ALLOW', evaluated_at: evaluatedAt, uds_eval_id: udsEvalId });

export const EVIDENCE_BLOCK_ID = 'blk_01HZQ4XY2N7K8R3V5W6P9T2QSL_evidence';
const QUERY_HASH = ref('query:vrs_alerts_v2_equivalent');
const RESULT_HASH = ref('result:vrs_alerts_v2_equivalent');

/** One step of the example: who acts, with what, and the payload. */
export interface VrsStep {
  schemaId: SchemaId;
  ts: string;
  actor: Actor;
  agent?: AgentProvenance;
  auth: AuthContext;
  abac: AbacDecision;
  payload: Record<string, unknown>;
}

export function vrsScreeningSteps(): VrsStep[] {
  return [
    {
      schemaId: SCHEMA_IDS.requested,
      ts: '2026-04-30T14:00:00.000Z',
      actor: HUMAN,
      auth: humanAuth(['fusion_operator', 'vrs_screening_request'], true),
      abac: allow('2026-04-30T14:00:00.012Z', 'ueval_4xZ8m'),
      payload: {
        customer_internal_ref: 'FIRM-CUST-789012',
        lens_id: 'vrs_alerts_v2_equivalent',
        lens_version: '2.0.0',
        screening_purpose: 'fca_consumer_duty_vulnerability_check',
      },
    },
    {
      schemaId: SCHEMA_IDS.leaseClaimed,
      ts: '2026-04-30T14:00:00.250Z',
      actor: AGENT,
      agent: agentRun('claim', ['claim_screening_task']),
      auth: screenerAuth(['fusion_operator', 'lease_claim'], true),
      abac: allow('2026-04-30T14:00:00.255Z', 'ueval_4xZ8n'),
      payload: {
        lease_holder: 'agent_vrs_screener_01',
        lease_window_seconds: 1800,
        claimed_at: '2026-04-30T14:00:00.250Z',
        lease_expires_at: '2026-04-30T14:30:00.250Z',
      },
    },
    {
      schemaId: SCHEMA_IDS.lensRunStarted,
      ts: '2026-04-30T14:00:00.480Z',
      actor: AGENT,
      agent: agentRun('lens_run', ['start_lens_run']),
      auth: screenerAuth(['fusion_operator', 'lease_claim'], true),
      abac: allow('2026-04-30T14:00:00.484Z', 'ueval_4xZ8p'),
      payload: {
        run_id: 'run_01HZQ4XY2N7K8R3V5W6P9T2QSL_1',
        lens_id: 'vrs_alerts_v2_equivalent',
        lens_version: '2.0.0',
        query_hash: QUERY_HASH,
        started_at: '2026-04-30T14:00:00.480Z',
      },
    },
    {
      schemaId: SCHEMA_IDS.psiRoundCompleted,
      ts: '2026-04-30T14:00:38.412Z',
      actor: FUSION_PIPELINE,
      auth: screenerAuth(['fusion_operator', 'psi_participant'], false),
      abac: allow('2026-04-30T14:00:38.418Z', 'ueval_4xZ8q'),
      payload: {
        psi_protocol: 'dh-rfc3526-group14',
        rounds: 2,
        node_a_id: 'vrs_register_node',
        node_a_issuer: SEED_ISSUERS.partner,
        node_a_jwt_jti: 'jti_vrs_71e2f8c4d6b09a35',
        node_b_id: 'firm_node_citi_uk',
        node_b_issuer: SEED_ISSUERS.firm,
        node_b_jwt_jti: 'jti_8f3a2b1c4d5e6f70',
        set_a_size: 5000,
        set_b_size: 100010,
        intersection_size: 4995,
        raw_records_transmitted: 0,
      },
    },
    {
      schemaId: SCHEMA_IDS.lensRunCompleted,
      ts: '2026-04-30T14:00:38.950Z',
      actor: AGENT,
      agent: agentRun('lens_run_completed', ['collect_lens_results']),
      auth: screenerAuth(['fusion_operator', 'lease_claim'], true),
      abac: allow('2026-04-30T14:00:38.955Z', 'ueval_4xZ8r'),
      payload: {
        run_id: 'run_01HZQ4XY2N7K8R3V5W6P9T2QSL_1',
        lens_id: 'vrs_alerts_v2_equivalent',
        lens_version: '2.0.0',
        result_hash: RESULT_HASH,
        match_count: 4995,
        completed_at: '2026-04-30T14:00:38.950Z',
      },
    },
    {
      schemaId: SCHEMA_IDS.evidenceBlockEmitted,
      ts: '2026-04-30T14:00:39.115Z',
      actor: AGENT,
      agent: agentRun('evidence', ['emit_evidence_block']),
      auth: screenerAuth(['fusion_operator', 'evidence_emit'], false),
      abac: allow('2026-04-30T14:00:39.120Z', 'ueval_4xZ8s'),
      payload: {
        block_id: EVIDENCE_BLOCK_ID,
        lens_id: 'vrs_alerts_v2_equivalent',
        lens_version: '2.0.0',
        query_hash: QUERY_HASH,
        result_hash: RESULT_HASH,
        match_count: 4995,
        false_positives: 9,
        false_negatives: 1,
        f1: 0.999,
        frozen_at: '2026-04-30T14:00:39.115Z',
        view_hint: { component: 'cluster_card', layout_type: 'evidence_panel', primary_field: 'match_status' },
      },
    },
    {
      schemaId: SCHEMA_IDS.matchesPublished,
      ts: '2026-04-30T14:00:40.020Z',
      actor: BEACON,
      auth: beaconAuth,
      abac: allow('2026-04-30T14:00:40.026Z', 'ueval_4xZ8t'),
      payload: {
        block_id: EVIDENCE_BLOCK_ID,
        result_hash: RESULT_HASH,
        match_count: 4995,
        published_to: 'firm.beacon',
        publication_ref: 'beacon_pub_01HZQ4XY2N7K8R3V5W6P9T2QSL',
        published_at: '2026-04-30T14:00:40.020Z',
      },
    },
    {
      schemaId: SCHEMA_IDS.leaseReleased,
      ts: '2026-04-30T14:00:40.300Z',
      actor: AGENT,
      agent: agentRun('release', ['release_screening_task']),
      auth: screenerAuth(['fusion_operator', 'lease_claim'], true),
      abac: allow('2026-04-30T14:00:40.305Z', 'ueval_4xZ8v'),
      payload: { lease_holder: 'agent_vrs_screener_01', released_at: '2026-04-30T14:00:40.300Z', reason: 'completed' },
    },
    {
      schemaId: SCHEMA_IDS.closed,
      ts: '2026-04-30T14:08:22.840Z',
      actor: HUMAN,
      auth: humanAuth(['edition_attest', 'vrs_screening_review'], false),
      abac: allow('2026-04-30T14:08:22.845Z', 'ueval_4xZ8u'),
      payload: {
        decision: 'matches_attested_for_action',
        attested_at: '2026-04-30T14:08:22.840Z',
        edition_id: 'edition_01HZQ4XY2N7K8R3V5W6P9T2QSL_att',
        evidence_block_ref: EVIDENCE_BLOCK_ID,
      },
    },
  ];
}

/** The nine events of the example, chained with real hashes by the project's own code. */
export function buildVrsExample(compositionId = VRS_COMPOSITION_ID): AuditEvent[] {
  let head = EMPTY_CHAIN;
  return vrsScreeningSteps().map((step) => {
    const draft = {
      schema_id: step.schemaId,
      composition_id: compositionId,
      ts_utc: step.ts,
      actor: step.actor,
      ...(step.agent ? { agent: step.agent } : {}),
      auth: step.auth,
      payload: step.payload,
      abac_decision: step.abac,
    } as EventDraft;
    const next = appendToChain(head, draft);
    head = next.head;
    return next.event;
  });
}
