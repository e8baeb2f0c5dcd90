/**
 * The issuer policy (ARCHITECTURE §6.1), as data: which token issuers are trusted — several, as in federated
 * SSO — and what each may assert. Per issuer: its organisation (`name`, the `org` ABAC sees), the exact
 * `iss` its tokens carry, the actor types it may assert, the signing algorithms it uses, the `typ` its
 * access tokens carry (RFC 9068: `at+jwt`) and the longest lifetime a token of it may have.
 * Configured with COORD_TRUSTED_ISSUERS (a JSON array of these objects); defaults to the dev IdPs: the
 * firm's IdP asserts humans and the firm's services, the internal IdP agents and services, the partner's IdP
 * its own humans and services. A token asserting anything else is refused, whatever its signature.
 */
import { z } from 'zod';
import { config } from '../../config/index.js';
import { idpEndpoint, type IdpName } from '../../config/endpoints.js';
import { ACTOR_TYPES } from '../../schemas/primitives.js';

/** Asymmetric algorithms only: an HMAC "secret" would be the issuer's public key. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export const trustedIssuerSchema = z.strictObject({
  /** the organisation: the `org` attribute ABAC decides on */
  name: z.string().min(1).max(64),
  /** the exact `iss` value */
  issuer: z.string().min(1).max(512),
  /** where discovery lives when it is not `<issuer>/.well-known/openid-configuration` */
  discoveryUrl: z.url().optional(),
  /** the actor types this issuer may assert (`actor_type` claim) */
  actorTypes: z.array(z.enum(ACTOR_TYPES)).min(1),
  /** the JWS algorithms its tokens may use */
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1),
  /** the required JWT `typ` header (compared case-insensitively, `application/` prefix allowed, RFC 8725 §3.11) */
  typ: z.string().min(1).default('at+jwt'),
  /** the longest `exp - iat` accepted, in seconds */
  maxLifetimeSeconds: z.number().int().positive().max(31 * 24 * 3600).default(24 * 3600),
});
export type TrustedIssuer = z.output<typeof trustedIssuerSchema>;
export type TrustedIssuerInput = z.input<typeof trustedIssuerSchema>;

/** The dev IdPs' policy: what each organisation's IdP asserts and how it signs (infra/stack/components/idp.ts). */
const DEV_POLICY: Record<IdpName, Omit<TrustedIssuerInput, 'name' | 'issuer'>> = {
  firm: { actorTypes: ['human', 'service'], algorithms: ['RS256'] },
  partner: { actorTypes: ['human', 'service'], algorithms: ['ES256'] },
  internal: { actorTypes: ['agent', 'service'], algorithms: ['EdDSA'] },
};

export function parseTrustedIssuers(json: string): TrustedIssuer[] {
  return z.array(trustedIssuerSchema).min(1).parse(JSON.parse(json));
}

export function trustedIssuers(): TrustedIssuer[] {
  const configured = config().COORD_TRUSTED_ISSUERS;
  if (configured) return parseTrustedIssuers(configured);
  return (Object.keys(DEV_POLICY) as IdpName[]).map((name) => trustedIssuerSchema.parse({ name, issuer: idpEndpoint(name).address, ...DEV_POLICY[name] }));
}
