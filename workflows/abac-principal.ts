/**
 * The ABAC principal of a verified identity: actor type as the role, the issuer's organisation and the
 * token's scopes and delegation chain as attributes. The same for a transition (asked in the workflow) and
 * for a read of the ledger (asked by the gateway), so one policy vocabulary covers both.
 */
import type { AbacRequest } from '../activities/abac/uds.js';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';

export function abacPrincipal(identity: VerifiedIdentity): AbacRequest['principal'] {
  const { auth } = identity;
  return {
    id: identity.actor.id,
    actorType: identity.actor.type,
    attributes: { org: identity.org, issuer: auth.issuer, subject: auth.subject, scopes: auth.scopes, delegation_chain: auth.delegation_chain },
  };
}
