/**
 * Bearer token verification (ARCHITECTURE §6), with jose: issuer from the allow-list, keys from the
 * issuer's JWKS found by OIDC discovery (cached; an unknown kid triggers a refetch, so key rotation just
 * works), audience, exp/nbf with a small clock tolerance, and an algorithm allow-list checked before any
 * key is touched (so `alg: none` and HMAC-with-a-public-key never reach a verifier).
 * Definitive failures throw TokenRefusal with a stable code; an unreachable IdP throws a plain Error
 * (transient: the activity retries, it never lets a token through).
 */
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from 'jose';
import { REASON_CODES, type ReasonCode } from '../../schemas/reason-codes.js';
import { identityFromClaims, type VerifiedIdentity } from './identity.js';
import { TokenRefusal, type UnverifiedHints } from './refusal.js';
import type { TrustedIssuer } from './trusted-issuers.js';

export const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export interface JwtVerifierOptions {
  issuers: readonly TrustedIssuer[];
  audience: string;
  algorithms?: readonly string[];
  /** seconds of clock skew tolerated on exp/nbf/iat */
  clockToleranceSec?: number;
  /** minimum time between two JWKS refetches of one issuer (unknown kids trigger them) */
  jwksCooldownMs?: number;
  fetchTimeoutMs?: number;
}

const truncate = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 200) : undefined);

function hintsOf(header: ProtectedHeaderParameters | undefined, claims: JWTPayload | undefined): UnverifiedHints {
  const hints: UnverifiedHints = {};
  const set = (k: keyof UnverifiedHints, v: unknown) => {
    const t = truncate(v);
    if (t) hints[k] = t;
  };
  set('issuer', claims?.iss);
  set('subject', claims?.sub);
  set('jwt_jti', claims?.jti);
  set('kid', header?.kid);
  set('alg', header?.alg);
  return hints;
}

function refusalFor(err: unknown): { code: ReasonCode; message: string } | undefined {
  if (err instanceof errors.JWTExpired) return { code: REASON_CODES.jwtExpired, message: 'the token has expired' };
  if (err instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, ReasonCode> = { nbf: REASON_CODES.jwtNotYetValid, aud: REASON_CODES.jwtAudience, iss: REASON_CODES.jwtIssuerUntrusted };
    return { code: byClaim[err.claim] ?? REASON_CODES.jwtClaims, message: `claim ${err.claim}: ${err.reason === 'check_failed' ? err.message : err.reason}` };
  }
  if (err instanceof errors.JWKSNoMatchingKey) return { code: REASON_CODES.jwtUnknownKid, message: 'no key of the issuer matches the token (unknown kid)' };
  if (err instanceof errors.JWSSignatureVerificationFailed) return { code: REASON_CODES.jwtSignature, message: 'the signature does not verify' };
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return { code: REASON_CODES.jwtAlgorithm, message: err.message };
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JWKInvalid) return { code: REASON_CODES.jwtMalformed, message: err.message };
  return undefined;
}

export class JwtVerifier {
  private readonly byIssuer: ReadonlyMap<string, TrustedIssuer>;
  private readonly keySets = new Map<string, Promise<JWTVerifyGetKey>>();
  private readonly algorithms: readonly string[];

  constructor(private readonly options: JwtVerifierOptions) {
    this.byIssuer = new Map(options.issuers.map((i) => [i.issuer, i]));
    this.algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  }

  /** The issuer's remote JWKS, found once by discovery; a failed discovery is retried next time. */
  private keySet(trusted: TrustedIssuer): Promise<JWTVerifyGetKey> {
    let keySet = this.keySets.get(trusted.issuer);
    if (!keySet) {
      keySet = this.discover(trusted);
      keySet.catch(() => this.keySets.delete(trusted.issuer));
      this.keySets.set(trusted.issuer, keySet);
    }
    return keySet;
  }

  private async discover(trusted: TrustedIssuer): Promise<JWTVerifyGetKey> {
    const url = trusted.discoveryUrl ?? `${trusted.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 5_000) });
    if (!res.ok) throw new Error(`OIDC discovery of ${trusted.issuer} failed: ${url} → ${res.status}`);
    const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
    if (doc.issuer !== trusted.issuer) throw new Error(`OIDC discovery of ${trusted.issuer} names another issuer: ${String(doc.issuer)}`);
    if (!doc.jwks_uri) throw new Error(`OIDC discovery of ${trusted.issuer} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      cooldownDuration: this.options.jwksCooldownMs ?? 1_000,
      timeoutDuration: this.options.fetchTimeoutMs ?? 5_000,
    });
  }

  async verify(token: string | undefined): Promise<VerifiedIdentity> {
    if (!token) throw new TokenRefusal(REASON_CODES.jwtMissing, 'a bearer token is required');
    let header: ProtectedHeaderParameters | undefined;
    let claims: JWTPayload | undefined;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new TokenRefusal(REASON_CODES.jwtMalformed, 'the token is not a well-formed JWT', hintsOf(header, claims));
    }
    const hints = hintsOf(header, claims);
    if (!header.alg || !this.algorithms.includes(header.alg)) {
      throw new TokenRefusal(REASON_CODES.jwtAlgorithm, `algorithm ${JSON.stringify(header.alg ?? null)} is not allowed (allowed: ${this.algorithms.join(', ')})`, hints);
    }
    const trusted = typeof claims.iss === 'string' ? this.byIssuer.get(claims.iss) : undefined;
    if (!trusted) throw new TokenRefusal(REASON_CODES.jwtIssuerUntrusted, `issuer ${JSON.stringify(claims.iss ?? null)} is not trusted`, hints);

    const keySet = await this.keySet(trusted); // transient failures propagate: retried, never let through
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: trusted.issuer,
        audience: this.options.audience,
        algorithms: [...this.algorithms],
        clockTolerance: this.options.clockToleranceSec ?? 30,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      return identityFromClaims(payload, trusted.name);
    } catch (err) {
      if (err instanceof TokenRefusal) throw new TokenRefusal(err.code, err.message, hints);
      const refusal = refusalFor(err);
      if (refusal) throw new TokenRefusal(refusal.code, refusal.message, hints);
      throw err; // JWKS unreachable or timed out: transient
    }
  }
}
