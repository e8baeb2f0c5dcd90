/** The bearer token of a request ("" when absent: the workflow refuses and records that too). */
import type { FastifyRequest } from 'fastify';

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) return '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0 && key.length <= 200 ? key : undefined;
}
