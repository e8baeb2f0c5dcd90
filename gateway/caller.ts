/**
 * Who is calling, decided once per request before its body is read: every route but /healthz and
 * /openapi.json needs a bearer token. No token, or one that is not a JWT at all, is a 401 here and reaches
 * nothing else. A token that is a JWT is verified (jose, the same verifier the workflow uses): a verified
 * caller is what reads are authorised for, what Idempotency-Keys are bound to and what the per-subject rate
 * limit counts; a token that does not verify is still passed on by the action routes, so the workflow
 * records the refusal as it always has.
 */
import type { FastifyRequest } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import { TokenRefusal } from '../activities/jwt/refusal.js';
import type { JwtVerifier } from '../activities/jwt/verifier.js';
import { REASON_CODES } from '../schemas/reason-codes.js';
import { GatewayError } from './errors.js';

export type Caller =
  /** the token verified: this is who is calling */
  | { token: string; identity: VerifiedIdentity; refusal?: undefined }
  /** a well-formed JWT that does not verify: who it claims to be is not known */
  | { token: string; identity?: undefined; refusal: TokenRefusal };

declare module 'fastify' {
  interface FastifyRequest {
    /** set for every route that needs a caller, before the body is parsed */
    caller?: Caller;
  }
}

/** The bearer token of an Authorization header: `undefined` when there is no header, `''` when it is not `Bearer <token>`. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

function isJwt(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    decodeJwt(token);
    return true;
  } catch {
    return false;
  }
}

/** The request's caller, or a GatewayError: 401 (no token, not a JWT) or 503 (the IdP cannot be reached). */
export async function identifyCaller(request: FastifyRequest, jwt: JwtVerifier): Promise<Caller> {
  const token = bearerTokenOf(request.headers.authorization);
  if (token === undefined) throw new GatewayError(REASON_CODES.jwtMissing, 'a bearer token is required (Authorization: Bearer <JWT>)');
  if (!token || !isJwt(token)) throw new GatewayError(REASON_CODES.jwtMalformed, 'the Authorization header does not carry a well-formed bearer JWT');
  try {
    return { token, identity: await jwt.verify(token) };
  } catch (err) {
    if (err instanceof TokenRefusal) return { token, refusal: err };
    throw new GatewayError('ERR_UNAVAILABLE', 'the token issuer could not be reached; try again');
  }
}

/** The verified identity of the request's caller, or the 401 its token earned. */
export function verifiedCaller(request: FastifyRequest): VerifiedIdentity {
  const caller = request.caller;
  if (!caller) throw new TypeError(`route ${request.routeOptions.url} needs a caller but is public`);
  if (caller.refusal) throw new GatewayError(caller.refusal.code, caller.refusal.message);
  return caller.identity;
}

/** The request's caller (action routes pass an unverified one on to the workflow, which records it). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new TypeError(`route ${request.routeOptions.url} needs a caller but is public`);
  return request.caller;
}
