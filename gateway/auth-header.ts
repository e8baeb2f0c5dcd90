/** The Idempotency-Key header (the bearer token is read in gateway/caller.ts). */
import type { FastifyRequest } from 'fastify';

export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0 && key.length <= 200 ? key : undefined;
}
