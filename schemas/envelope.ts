/**
 * The audit event envelope (ARCHITECTURE §5, seed 000 §7b): identity, authorisation and chain fields
 * around a schema-specific payload.
 */
import { z } from 'zod';
import { actorType, compositionId, eventId, nonEmpty, sha256Ref, utcTimestamp } from './primitives.js';

export const actorSchema = z.strictObject({
  type: actorType,
  id: nonEmpty,
  /** semver of the acting software, for replay; null for humans */
  version: nonEmpty.nullable(),
});

/** Agent provenance (seed §7a.1): pins an agent action for replay without re-invoking the model. */
export const agentSchema = z.strictObject({
  model_id: nonEmpty,
  prompt_hash: sha256Ref,
  temperature: z.number().min(0),
  seed: z.number().int().nullable(),
  response_hash: sha256Ref,
  tool_call_chain: z.array(nonEmpty),
});

/** Claims of the verified bearer token — never the token itself. */
export const authSchema = z.strictObject({
  jwt_jti: nonEmpty,
  /** the party that presented the token (the acting party when delegated) */
  subject: nonEmpty,
  scopes: z.array(nonEmpty),
  issuer: nonEmpty,
  issued_at: utcTimestamp.optional(),
  expires_at: utcTimestamp.optional(),
  /** acting party first, original subject last (RFC 8693 `act` chain) */
  delegation_chain: z.array(nonEmpty).min(1),
});

export const abacDecisionSchema = z.strictObject({
  outcome: z.enum(['ALLOW', 'DENY']),
  evaluated_at: utcTimestamp,
  /** the UDS evaluation receipt (locally: the Cerbos call id) */
  uds_eval_id: nonEmpty,
});

/**
 * Who stands behind an event:
 * - `caller`: an authenticated actor whose action UDS allowed (auth and an ALLOW decision required);
 * - `system`: the ledger itself, e.g. a lease timer (no token, no ABAC decision);
 * - `recorder`: the ledger recording a refusal (auth when the token verified, the decision when one was made).
 */
export type Authority = 'caller' | 'system' | 'recorder';

export type Actor = z.infer<typeof actorSchema>;
export type AgentProvenance = z.infer<typeof agentSchema>;
export type AuthContext = z.infer<typeof authSchema>;
export type AbacDecision = z.infer<typeof abacDecisionSchema>;

export function envelopeSchema<P extends z.ZodType>(schemaId: string, payload: P, authority: Authority) {
  const allowOnly = abacDecisionSchema.extend({ outcome: z.literal('ALLOW') });
  return z
    .strictObject({
      event_id: eventId,
      schema_id: z.literal(schemaId),
      composition_id: compositionId,
      ts_utc: utcTimestamp,
      causal_predecessor: eventId.nullable(),
      actor: actorSchema,
      agent: agentSchema.optional(),
      auth: authority === 'caller' ? authSchema : authority === 'system' ? z.null() : authSchema.nullable(),
      payload,
      abac_decision: authority === 'caller' ? allowOnly : authority === 'system' ? z.null() : abacDecisionSchema.nullable(),
      prev_hash: sha256Ref.nullable(),
      this_hash: sha256Ref,
    })
    .superRefine((event, ctx) => {
      // An agent's action carries its provenance; nobody else's does. A refusal may lack it (the request was refused).
      if (event.actor.type === 'agent' && !event.agent && authority !== 'recorder') {
        ctx.addIssue({ code: 'custom', path: ['agent'], message: 'required when actor.type is "agent"' });
      }
      if (event.actor.type !== 'agent' && event.agent) {
        ctx.addIssue({ code: 'custom', path: ['agent'], message: `not allowed when actor.type is "${event.actor.type}"` });
      }
    });
}
