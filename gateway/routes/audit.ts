/**
 * Read access to the ledger for auditors: `GET /audit/events` (every query axis, keyset pages) and
 * `GET /audit/quarantine`. A verified bearer token with the `audit_read` scope is required; reads are not
 * transitions, so they are not recorded in the audit stream.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TokenRefusal } from '../../activities/jwt/refusal.js';
import type { JwtVerifier } from '../../activities/jwt/verifier.js';
import { CursorError, decodeEventCursor, decodeQuarantineCursor, eventFilterSchema, pageSchema } from '../../audit/ledger/query.js';
import { QUARANTINE_REASONS } from '../../audit/ledger/records.js';
import type { LedgerStore } from '../../audit/ledger/store.js';
import { REASON_CODES } from '../../schemas/reason-codes.js';
import { issuePath } from '../../schemas/catalog.js';
import { bearerToken } from '../auth-header.js';
import { GatewayError } from '../errors.js';

export const AUDIT_READ_SCOPE = 'audit_read';

const eventsQuery = eventFilterSchema.extend(pageSchema.shape);
export const quarantineQuery = z.strictObject({
  reason: z.enum(QUARANTINE_REASONS).optional(),
  composition_id: z.string().min(1).optional(),
  ...pageSchema.shape,
});

function parseQuery<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new GatewayError('ERR_BAD_REQUEST', issue.message, `query.${issuePath(issue.path)}`);
}

function cursor<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CursorError) throw new GatewayError('ERR_BAD_REQUEST', err.message, 'query.cursor');
    throw err;
  }
}

export function auditRoutes(app: FastifyInstance, deps: { jwt: JwtVerifier; ledger: () => Promise<LedgerStore> }): void {
  async function authorize(request: FastifyRequest): Promise<void> {
    let scopes: readonly string[];
    try {
      scopes = (await deps.jwt.verify(bearerToken(request))).auth.scopes;
    } catch (err) {
      if (err instanceof TokenRefusal) throw new GatewayError(err.code, err.message);
      throw new GatewayError('ERR_UNAVAILABLE', 'the token issuer could not be reached; try again');
    }
    if (!scopes.includes(AUDIT_READ_SCOPE)) throw new GatewayError(REASON_CODES.scopeMissing, `reading the audit ledger requires the ${AUDIT_READ_SCOPE} scope`);
  }

  app.get('/audit/events', async (request) => {
    await authorize(request);
    const { limit, cursor: c, ...filters } = parseQuery(eventsQuery, request.query);
    const after = c ? cursor(() => decodeEventCursor(c)) : undefined;
    return (await deps.ledger()).events({ ...filters, limit, ...(after ? { after } : {}) });
  });

  app.get('/audit/quarantine', async (request) => {
    await authorize(request);
    const { limit, cursor: c, ...filters } = parseQuery(quarantineQuery, request.query);
    const after = c ? cursor(() => decodeQuarantineCursor(c)) : undefined;
    return (await deps.ledger()).quarantine({ ...filters, limit, ...(after !== undefined ? { after } : {}) });
  });
}
