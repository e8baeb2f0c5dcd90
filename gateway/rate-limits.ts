/**
 * Rate limits (`@fastify/rate-limit`, in-process store): one per source address, counted before anything
 * else about the request — so token-less floods stop here —, and one per verified subject (issuer and
 * acting party), counted once the token is verified, so a caller cannot escape its limit by changing
 * address and nobody can spend another caller's quota with a token that does not verify. Over a limit:
 * 429 `ERR_RATE_LIMITED` with `Retry-After` (seconds). `/healthz` and `/openapi.json` are not limited.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from './errors.js';
import { subjectOf } from './idempotency.js';

export interface RateLimit {
  /** requests allowed per window */
  max: number;
  timeWindowMs: number;
}

export interface RateLimits {
  perSource: RateLimit;
  perSubject: RateLimit;
}

/**
 * Far above what one caller needs (the lifecycle benchmark drives ~10 compositions at a time from one host,
 * well under 100 requests/s in all), low enough that a flood from one address or one identity is cut off.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  perSource: { max: 3000, timeWindowMs: 10_000 },
  perSubject: { max: 1500, timeWindowMs: 10_000 },
};

type Check = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Registers the plugin; returns the two checks, for the gateway to run at the right points. */
export async function rateLimitChecks(app: FastifyInstance, limits: RateLimits): Promise<{ perSource: Check; perSubject: Check }> {
  await app.register(rateLimit, { global: false });
  const check = (limit: RateLimit, key: (request: FastifyRequest) => string | undefined, what: string): Check => {
    const limiter = app.createRateLimit({
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (request) => key(request) ?? '',
      allowList: (request) => key(request) === undefined,
    });
    return async (request, reply) => {
      const result = await limiter(request);
      if (result.isAllowed || !result.isExceeded) return;
      request.log.warn({ limit: what, max: result.max, window_ms: result.timeWindow }, 'rate limit exceeded');
      const seconds = Math.max(1, result.ttlInSeconds);
      // Headers set before an error is thrown are kept; the error handler sends the 429 body.
      reply.header('retry-after', String(seconds));
      throw new GatewayError('ERR_RATE_LIMITED', `too many requests ${what}; retry in ${seconds} s`);
    };
  };
  return {
    perSource: check(limits.perSource, (request) => `source:${request.ip}`, 'from this address'),
    perSubject: check(limits.perSubject, (request) => subjectOf(request.caller), 'by this caller'),
  };
}
