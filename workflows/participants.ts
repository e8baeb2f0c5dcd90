/**
 * The two nodes of a PSI round (seed §7b.4): each presents its own token, verified like any caller's. A
 * round counts only if both tokens carry `psi_participant`, are two different tokens from two different
 * organisations, and each node id in the payload is the verified identity of the node that presented it.
 * Pure: the workflow verifies the tokens, this judges what they say.
 */
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import { REASON_CODES, type ReasonCode } from '../schemas/reason-codes.js';

export const PSI_PARTICIPANT_SCOPE = 'psi_participant';

export function participantsProblem(payload: Record<string, unknown>, a: VerifiedIdentity, b: VerifiedIdentity): { code: ReasonCode; message: string } | undefined {
  for (const [node, who] of [['node_a', a], ['node_b', b]] as const) {
    if (!who.auth.scopes.includes(PSI_PARTICIPANT_SCOPE)) return { code: REASON_CODES.scopeMissing, message: `participant_tokens.${node} lacks the ${PSI_PARTICIPANT_SCOPE} scope` };
    if (payload[`${node}_id`] !== who.actor.id) return { code: REASON_CODES.invalidPayload, message: `payload.${node}_id must be the verified identity of the ${node} token (${who.actor.id})` };
  }
  if (a.auth.jwt_jti === b.auth.jwt_jti && a.auth.issuer === b.auth.issuer) return { code: REASON_CODES.invalidPayload, message: 'participant_tokens.node_a and node_b are the same token' };
  if (a.auth.issuer === b.auth.issuer) return { code: REASON_CODES.invalidPayload, message: 'the two PSI nodes must come from two different organisations' };
  return undefined;
}
