/**
 * What the gateway decides itself — reads (of the audit ledger, of a composition, of a signal's outcome)
 * and the Web UI's codec — is authorised here the same way for all: the verified caller, a required scope
 * if any, then an ABAC decision from UDS (locally Cerbos). Deny unless allowed; no decision, no access (503).
 * Reads are not transitions, so they are not recorded in the audit stream: each one, allowed or refused, is
 * logged with the reader, the decision's receipt and the query.
 */
import type { FastifyRequest } from 'fastify';
import type { UdsClient } from '../activities/abac/uds.js';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import { redactTokens } from '../audit/redact-tokens.js';
import type { AbacDecision } from '../schemas/envelope.js';
import { REASON_CODES } from '../schemas/reason-codes.js';
import { abacPrincipal } from '../workflows/abac-principal.js';
import { verifiedCaller } from './caller.js';
import { GatewayError } from './errors.js';

/**
 * ABAC resources the gateway asks about (policies in infra/cerbos/policies/): the audit ledger, a
 * composition's view and signal outcomes, the payload codec.
 */
export type GatewayResource =
  | { kind: 'audit_ledger'; action: 'read_events' | 'read_quarantine' | 'stream' }
  | { kind: 'composition_view'; action: 'read' | 'read_signal_outcome' }
  | { kind: 'payload_codec'; action: 'decode' | 'encode' };

/** How a refusal names what was asked for. */
const TARGET: Record<GatewayResource['kind'], (id: string) => string> = {
  audit_ledger: () => 'the audit ledger',
  composition_view: (id) => `composition ${id}`,
  payload_codec: () => 'the payload codec',
};

export interface ReadAccess {
  resource: GatewayResource;
  /** the resource's id (a composition id; "ledger"; the namespace for the codec) */
  id: string;
  /** a scope the token must carry before the PDP is asked */
  scope?: string;
  /** what is read, in words, for messages and logs */
  what: string;
}

export async function authorizeRead(request: FastifyRequest, uds: UdsClient, access: ReadAccess): Promise<VerifiedIdentity> {
  const identity = verifiedCaller(request);
  const { resource, id, scope, what } = access;
  const reader = { reader: identity.actor.id, actor_type: identity.actor.type, org: identity.org, issuer: identity.auth.issuer, resource: resource.kind, id, action: resource.action, query: redactTokens(request.query) };
  if (scope && !identity.auth.scopes.includes(scope)) {
    request.log.warn({ ...reader, code: REASON_CODES.scopeMissing }, `${what} refused`);
    throw new GatewayError(REASON_CODES.scopeMissing, `${what} requires the ${scope} scope`);
  }
  let decision: AbacDecision;
  try {
    decision = await uds.decide({
      action: resource.action,
      principal: abacPrincipal(identity),
      // UdsClient names the kinds the workflow asks about; the gateway's own kinds are listed in GatewayResource.
      resource: { kind: resource.kind, id, attributes: {} },
      environment: { time: new Date().toISOString() },
    });
  } catch (err) {
    request.log.warn({ ...reader, err: (err as Error).message }, `${what} refused: no ABAC decision`);
    throw new GatewayError('ERR_UNAVAILABLE', 'the ABAC authority could not be reached; try again');
  }
  if (decision.outcome !== 'ALLOW') {
    request.log.warn({ ...reader, code: REASON_CODES.abacDeny, uds_eval_id: decision.uds_eval_id }, `${what} refused`);
    throw new GatewayError(REASON_CODES.abacDeny, `UDS denied ${resource.action} on ${TARGET[resource.kind](id)} (evaluation ${decision.uds_eval_id})`);
  }
  request.log.info({ ...reader, uds_eval_id: decision.uds_eval_id }, what);
  return identity;
}
