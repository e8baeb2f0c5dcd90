/** What a dev IdP puts in an access token (RFC 9068 shape, RFC 8693 `act` for delegation). */
import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { z } from 'zod';

export const ACTOR_TYPES = ['human', 'agent', 'service'] as const;

export const mintRequestSchema = z.object({
  sub: z.string().min(1),
  scope: z.union([z.string(), z.array(z.string())]).default([]),
  /** Custom claim read by the service: the actor type never comes from a request body. */
  actor_type: z.enum(ACTOR_TYPES).optional(),
  /** Delegation chain, current actor first: ["svc", "agent"] → act: { sub: "svc", act: { sub: "agent" } }. */
  act: z.array(z.string().min(1)).default([]),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  /** Lifetime in seconds; negative mints an already-expired token (for tests of the verifier). */
  ttl_seconds: z.number().int().default(3600),
  /** Shifts `nbf` from now (positive = not yet valid). */
  nbf_offset_seconds: z.number().int().default(0),
  claims: z.record(z.string(), z.unknown()).default({}),
});
export type MintRequest = z.input<typeof mintRequestSchema>;

const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'act', 'scope', 'actor_type']);

export function scopesOf(scope: string | string[]): string[] {
  return (Array.isArray(scope) ? scope : [scope]).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
}

function actClaim(chain: string[]): JWTPayload['act'] {
  return chain.reduceRight<Record<string, unknown> | undefined>((inner, sub) => (inner ? { sub, act: inner } : { sub }), undefined);
}

export async function signAccessToken(
  issuer: string,
  defaultAudience: string,
  signing: { key: CryptoKey; kid: string; alg: string },
  input: MintRequest,
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  const req = mintRequestSchema.parse(input);
  const extra = Object.fromEntries(Object.entries(req.claims).filter(([k]) => !RESERVED.has(k)));
  const payload: JWTPayload = { ...extra, scope: scopesOf(req.scope).join(' ') };
  if (req.actor_type) payload.actor_type = req.actor_type;
  if (req.act.length) payload.act = actClaim(req.act);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject(req.sub)
    .setAudience(req.aud ?? defaultAudience)
    .setIssuedAt(now)
    .setNotBefore(now + req.nbf_offset_seconds)
    .setExpirationTime(now + req.ttl_seconds)
    .setJti(`jti_${randomUUID().replaceAll('-', '')}`)
    .sign(signing.key);
}
