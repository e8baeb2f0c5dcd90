/**
 * From verified claims to the actor and the `auth` block of an audit event. The actor's type comes from a
 * verified claim (`actor_type`) — never from a request body. Delegation follows RFC 8693: `sub` is the
 * party on whose behalf, `act` nests the acting parties (current first); the acting party presented the
 * token and is recorded as `auth.subject`. For agents and services the actor id is the OAuth client
 * (`client_id`, RFC 9068) when the token names one — the agent's own identity —; a human is the acting party.
 */
import type { JWTPayload } from 'jose';
import type { Actor, AuthContext } from '../../schemas/envelope.js';
import { ACTOR_TYPES, type ActorType } from '../../schemas/primitives.js';
import { REASON_CODES } from '../../schemas/reason-codes.js';
import { TokenRefusal } from './refusal.js';

export interface VerifiedIdentity {
  actor: Actor;
  auth: AuthContext;
  /** the trusted issuer's short name (its organisation): an ABAC attribute */
  org: string;
}

function actChain(act: unknown): string[] {
  const chain: string[] = [];
  let node = act as { sub?: unknown; act?: unknown } | undefined;
  while (node && typeof node === 'object' && chain.length < 10) {
    if (typeof node.sub !== 'string' || !node.sub) throw new TokenRefusal(REASON_CODES.jwtClaims, 'the act claim must nest objects with a sub');
    chain.push(node.sub);
    node = node.act as typeof node;
  }
  return chain;
}

const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

export function identityFromClaims(claims: JWTPayload, org: string): VerifiedIdentity {
  const actorType = claims.actor_type;
  if (typeof actorType !== 'string' || !ACTOR_TYPES.includes(actorType as ActorType)) {
    throw new TokenRefusal(REASON_CODES.jwtClaims, `the token must carry actor_type (${ACTOR_TYPES.join(', ')})`);
  }
  if (!claims.sub || !claims.jti || !claims.iss) throw new TokenRefusal(REASON_CODES.jwtClaims, 'the token must carry sub, jti and iss');
  const delegation = [...actChain(claims.act), claims.sub];
  const actingParty = delegation[0]!;
  const clientId = typeof claims.client_id === 'string' && claims.client_id ? claims.client_id : undefined;
  const version = typeof claims.software_version === 'string' && claims.software_version ? claims.software_version : null;
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const issuedAt = iso(claims.iat);
  const expiresAt = iso(claims.exp);
  return {
    actor: actorType === 'human' ? { type: 'human', id: actingParty, version: null } : { type: actorType as ActorType, id: clientId ?? actingParty, version },
    auth: {
      jwt_jti: claims.jti,
      subject: actingParty,
      scopes,
      issuer: claims.iss,
      ...(issuedAt ? { issued_at: issuedAt } : {}),
      ...(expiresAt ? { expires_at: expiresAt } : {}),
      delegation_chain: delegation,
    },
    org,
  };
}
