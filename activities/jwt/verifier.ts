/**
 * Bearer token verification (ARCHITECTURE §6), with jose: issuer from the allow-list, keys from the
 * issuer's JWKS found by OIDC discovery (cached; an unknown kid triggers a refetch, so key rotation just
 * works), audience, exp/nbf with a small clock tolerance, and the issuer's own policy
 * (trusted-issuers.ts): its algorithms, checked before any key is touched (so `alg: none` and
 * HMAC-with-a-public-key never reach a verifier), its `typ`, its maximum lifetime, no `iat` in the future,
 * no critical header we do not understand; then the claims' types and lengths and the actor types the issuer
 * may assert (identity.ts).
 * Definitive failures throw TokenRefusal with a stable code; only an unreachable IdP is transient (the
 * activity retries; it never lets a token through) — see `isNetworkFailure`.
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

export interface JwtVerifierOptions {
  issuers: readonly TrustedIssuer[];
  audience: string;
  /** seconds of clock skew tolerated on exp/nbf/iat */
  clockToleranceSec?: number;
  /** minimum time between two JWKS refetches of one issuer (unknown kids trigger them) */
  jwksCooldownMs?: number;
  fetchTimeoutMs?: number;
  /** the verifier's clock (tests freeze it); seconds since the epoch */
  now?: () => number;
}

/** `typ` as RFC 8725 §3.11 compares it: case-insensitive, with or without the `application/` prefix. */
const normalTyp = (typ: string) => typ.toLowerCase().replace(/^application\//, '');

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

/**
 * The only transient failures of verification: the IdP (discovery or JWKS) could not be reached or did not
 * answer in time. Everything else about a token is a refusal.
 */
export function isNetworkFailure(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout) return true;
  // the IdP answered its JWKS URL with an error status or a body that is no key set: its outage, not the token's fault
  if (err instanceof errors.JWKSInvalid) return true;
  if (err instanceof errors.JOSEError && err.message.includes('JSON Web Key Set HTTP response')) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  if (err instanceof TypeError && err.message === 'fetch failed') return true; // undici: the cause is the socket error
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR)/.test(code);
}

export class JwtVerifier {
  private readonly byIssuer: ReadonlyMap<string, TrustedIssuer>;
  private readonly keySets = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(private readonly options: JwtVerifierOptions) {
    this.byIssuer = new Map(options.issuers.map((i) => [i.issuer, i]));
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
    const trusted = typeof claims.iss === 'string' ? this.byIssuer.get(claims.iss) : undefined;
    if (!trusted) throw new TokenRefusal(REASON_CODES.jwtIssuerUntrusted, `issuer ${JSON.stringify(truncate(claims.iss) ?? null)} is not trusted`, hints);
    const algorithms: readonly string[] = trusted.algorithms;
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      throw new TokenRefusal(REASON_CODES.jwtAlgorithm, `algorithm ${JSON.stringify(truncate(header.alg) ?? null)} is not allowed for ${trusted.name} (allowed: ${algorithms.join(', ')})`, hints);
    }
    if (typeof header.typ !== 'string' || normalTyp(header.typ) !== normalTyp(trusted.typ)) {
      throw new TokenRefusal(REASON_CODES.jwtType, `the token's typ must be ${trusted.typ} (an access token), not ${JSON.stringify(truncate(header.typ) ?? null)}`, hints);
    }
    if (header.crit !== undefined) {
      throw new TokenRefusal(REASON_CODES.jwtCritical, 'the token has critical header parameters (crit) this service does not understand', hints);
    }

    const keySet = await this.keySet(trusted); // transient failures propagate: retried, never let through
    try {
      const tolerance = this.options.clockToleranceSec ?? 30;
      const now = this.options.now?.() ?? Math.floor(Date.now() / 1000);
      const { payload } = await jwtVerify(token, keySet, {
        issuer: trusted.issuer,
        audience: this.options.audience,
        algorithms: [...algorithms],
        clockTolerance: tolerance,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      const { iat, exp } = payload as { iat: number; exp: number };
      if (iat > now + tolerance) throw new TokenRefusal(REASON_CODES.jwtNotYetValid, 'the token was issued in the future (iat)');
      if (exp - iat > trusted.maxLifetimeSeconds) {
        throw new TokenRefusal(REASON_CODES.jwtLifetime, `the token lives ${exp - iat} s; ${trusted.name} tokens may live at most ${trusted.maxLifetimeSeconds} s`);
      }
      return identityFromClaims(payload, trusted);
    } catch (err) {
      if (err instanceof TokenRefusal) throw new TokenRefusal(err.code, err.message, hints);
      const refusal = refusalFor(err);
      if (refusal) throw new TokenRefusal(refusal.code, refusal.message, hints);
      if (isNetworkFailure(err)) throw err; // JWKS unreachable or timed out: transient
      // anything else about this token is definitive: an input must never make the activity retry for ever
      throw new TokenRefusal(REASON_CODES.jwtClaims, `the token could not be verified: ${truncate((err as Error)?.message) ?? 'unknown error'}`, hints);
    }
  }
}
