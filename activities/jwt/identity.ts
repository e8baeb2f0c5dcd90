/**
 * From verified claims to the actor and the `auth` block of an audit event. The actor's type comes from a
 * verified claim (`actor_type`) — never from a request body. Delegation follows RFC 8693: `sub` is the
 * party on whose behalf, `act` nests the acting parties (current first); the acting party presented the
 * token and is recorded as `auth.subject`. For agents and services the actor id is the OAuth client
 * (`client_id`, RFC 9068) when the token names one — the agent's own identity —; a human is the acting party
 * and never a delegate. Every claim read here is checked by type and length first: no claim can make a
 * later step throw.
 */
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import type { Actor, AuthContext } from '../../schemas/envelope.js';
import { ACTOR_TYPES, type ActorType } from '../../schemas/primitives.js';
import { REASON_CODES } from '../../schemas/reason-codes.js';
import { TokenRefusal } from './refusal.js';
import type { TrustedIssuer } from './trusted-issuers.js';

export interface VerifiedIdentity {
  actor: Actor;
  auth: AuthContext;
  /** the trusted issuer's short name (its organisation): an ABAC attribute */
  org: string;
}

/** Ids in tokens are bounded: they end up in events, search attributes and logs. */
export const MAX_ID_LENGTH = 256;
/** A delegation chain deeper than this is refused, never silently cut. */
export const MAX_DELEGATION_DEPTH = 10;

const id = z.string().min(1).max(MAX_ID_LENGTH);
/** seconds since the epoch that a Date can hold and print (up to 9999-12-31) */
const epochSeconds = z.number().int().min(0).max(253_402_300_799);

/** What the claims must be, by type and length, before anything reads them. */
const claimsSchema = z.object({
  iss: z.string().min(1).max(512),
  sub: id,
  jti: id,
  iat: epochSeconds,
  exp: epochSeconds,
  actor_type: z.enum(ACTOR_TYPES, { error: `must be one of ${ACTOR_TYPES.join(', ')}` }),
  client_id: z.string().max(MAX_ID_LENGTH).optional(),
  software_version: z.string().max(64).optional(),
  scope: z.string().max(4096).optional(),
});

function actChain(act: unknown): string[] {
  const chain: string[] = [];
  let node = act as { sub?: unknown; act?: unknown } | undefined;
  while (node !== undefined) {
    if (chain.length === MAX_DELEGATION_DEPTH) throw new TokenRefusal(REASON_CODES.jwtClaims, `the delegation chain (act) is deeper than ${MAX_DELEGATION_DEPTH}`);
    if (!node || typeof node !== 'object' || !id.safeParse(node.sub).success) {
      throw new TokenRefusal(REASON_CODES.jwtClaims, `the act claim must nest objects with a sub of 1 to ${MAX_ID_LENGTH} characters`);
    }
    chain.push(node.sub as string);
    node = node.act as typeof node;
  }
  return chain;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The issuer's policy as far as identity needs it: its organisation and the actor types it may assert. */
export type IssuerPolicy = Pick<TrustedIssuer, 'name' | 'actorTypes'>;

export function identityFromClaims(raw: JWTPayload, issuer: IssuerPolicy): VerifiedIdentity {
  const parsed = claimsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TokenRefusal(REASON_CODES.jwtClaims, `claim ${issue.path.join('.') || '(token)'}: ${issue.message}`);
  }
  const claims = parsed.data;
  const actorType: ActorType = claims.actor_type;
  if (!issuer.actorTypes.includes(actorType)) {
    throw new TokenRefusal(REASON_CODES.jwtActorType, `${issuer.name} may assert ${issuer.actorTypes.join(', ')}, not ${actorType}`);
  }
  const delegated = actChain(raw.act);
  // RFC 8693: the acting party is not the subject. A human acts only in person.
  if (delegated.length && actorType === 'human') {
    throw new TokenRefusal(REASON_CODES.jwtActorType, 'a delegated token (act) is never a human: the acting party is a service or an agent');
  }
  const delegation = [...delegated, claims.sub];
  const actingParty = delegation[0]!;
  const clientId = claims.client_id || undefined;
  const version = claims.software_version || null;
  const scopes = claims.scope ? claims.scope.split(' ').filter(Boolean) : [];
  return {
    actor: actorType === 'human' ? { type: 'human', id: actingParty, version: null } : { type: actorType, id: clientId ?? actingParty, version },
    auth: {
      jwt_jti: claims.jti,
      subject: actingParty,
      scopes,
      issuer: claims.iss,
      issued_at: iso(claims.iat),
      expires_at: iso(claims.exp),
      delegation_chain: delegation,
    },
    org: issuer.name,
  };
}
