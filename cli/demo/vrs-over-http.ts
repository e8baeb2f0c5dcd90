/**
 * Drives the seed's §7b VRS screening through the HTTP gateway, step by step, with the cast's real tokens.
 * The steps' payloads are the example's (audit/examples/vrs-screening.ts) minus what the ledger sets itself.
 */
import { AGENT, BEACON, FUSION_PIPELINE, HUMAN, vrsScreeningSteps, type VrsStep } from '../../audit/examples/vrs-screening.js';
import type { GatewayHttp, HttpResult } from '../../client/gateway-http.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import { LEDGER_FIELDS } from '../../workflows/actions.js';
import type { VrsTokens } from './vrs-tokens.js';

export interface StepResult {
  schemaId: string;
  status: number;
  body: Record<string, unknown>;
}

const SEGMENT: Record<string, string> = {
  [SCHEMA_IDS.leaseClaimed]: 'claim',
  [SCHEMA_IDS.leaseReleased]: 'release',
  [SCHEMA_IDS.evidenceBlockEmitted]: 'evidence',
  [SCHEMA_IDS.closed]: 'attest',
};

/** The token of the step's actor. */
export function tokenFor(step: VrsStep, tokens: VrsTokens): string {
  if (step.actor === HUMAN) return tokens.human;
  if (step.actor === AGENT) return tokens.agent;
  if (step.actor === FUSION_PIPELINE) return tokens.fusionPipeline;
  if (step.actor === BEACON) return tokens.beacon;
  throw new Error(`no token for ${step.actor.id}`);
}

export function callerPayload(step: VrsStep): Record<string, unknown> {
  const ledgerSet = new Set(LEDGER_FIELDS[step.schemaId] ?? []);
  return Object.fromEntries(Object.entries(step.payload).filter(([k]) => !ledgerSet.has(k)));
}

/** One step over HTTP; `composition` is the id the first step creates. The same `idempotencyKey` makes a retry return the first outcome. */
export async function runStep(http: GatewayHttp, step: VrsStep, tokens: VrsTokens, compositionId: string, idempotencyKey?: string): Promise<HttpResult> {
  const token = tokenFor(step, tokens);
  const payload = callerPayload(step);
  const agent = step.agent ? { agent: step.agent } : {};
  if (step.schemaId === SCHEMA_IDS.requested) {
    return http.post('/compositions', token, { composition_id: compositionId, composition_type: 'vrs_screening', payload }, idempotencyKey);
  }
  const segment = SEGMENT[step.schemaId] ?? 'events';
  const body: Record<string, unknown> = { payload, ...agent };
  if (segment === 'events') body.schema_id = step.schemaId;
  if (step.schemaId === SCHEMA_IDS.psiRoundCompleted) body.participant_tokens = { node_a: tokens.partnerParticipant, node_b: tokens.firmParticipant };
  return http.post(`/compositions/${compositionId}/${segment}`, token, body, idempotencyKey);
}

/** All nine steps; stops at the first one that is not a 2xx. */
export async function runVrsScreening(http: GatewayHttp, tokens: VrsTokens, compositionId: string, steps = vrsScreeningSteps()): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const { status, body } = await runStep(http, step, tokens, compositionId);
    results.push({ schemaId: step.schemaId, status, body });
    if (status >= 300) break;
  }
  return results;
}
