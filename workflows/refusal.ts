/** The `coordination.access_denied.v1` draft for a refused action (pure). */
import type { EventDraft } from '../audit/chain.js';
import { agentSchema, type AbacDecision } from '../schemas/envelope.js';
import type { LifecycleState } from '../schemas/lifecycle.js';
import type { ReasonCode } from '../schemas/reason-codes.js';
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import type { UnverifiedHints } from '../activities/jwt/refusal.js';
import { LEDGER_ACTOR } from './ledger-actor.js';

export interface RefusalFacts {
  compositionId: string;
  ts: string;
  attemptedSchemaId: string;
  code: ReasonCode;
  message: string;
  state: LifecycleState;
  /** the verified caller, when the token verified */
  identity?: VerifiedIdentity;
  /** UDS's decision, when one was made */
  decision?: AbacDecision;
  /** what an unverified token claimed */
  unverified?: UnverifiedHints;
  /** the agent block the caller sent (kept only when well-formed and the caller is a verified agent) */
  agent?: unknown;
}

export function refusalDraft(f: RefusalFacts): EventDraft {
  const agent = f.identity?.actor.type === 'agent' ? agentSchema.safeParse(f.agent) : undefined;
  const hints = f.unverified && Object.keys(f.unverified).length ? { unverified: f.unverified } : {};
  return {
    schema_id: SCHEMA_IDS.accessDenied,
    composition_id: f.compositionId,
    ts_utc: f.ts,
    actor: f.identity?.actor ?? LEDGER_ACTOR,
    ...(agent?.success ? { agent: agent.data } : {}),
    auth: f.identity?.auth ?? null,
    payload: {
      attempted_schema_id: f.attemptedSchemaId,
      reason_code: f.code,
      reason: f.message.slice(0, 500),
      state: f.state,
      ...hints,
    },
    abac_decision: f.decision ?? null,
  } as EventDraft;
}
