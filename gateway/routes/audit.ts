/**
 * Read access to the ledger for auditors: `GET /audit/events` (every query axis, keyset pages) and
 * `GET /audit/quarantine`. A verified bearer token with the `audit_read` scope is required, then an ABAC
 * decision (resource `audit_ledger`, action read_events / read_quarantine): deny unless allowed, and deny
 * when no decision can be had. Reads are not transitions, so they are not recorded in the audit stream;
 * each one, allowed or denied, is logged with the reader, the decision's receipt and the query.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UdsClient } from '../../activities/abac/uds.js';
import type { VerifiedIdentity } from '../../activities/jwt/identity.js';
import { TokenRefusal } from '../../activities/jwt/refusal.js';
import type { JwtVerifier } from '../../activities/jwt/verifier.js';
import { CursorError, decodeEventCursor, decodeQuarantineCursor, eventFilterSchema, pageSchema } from '../../ledger/query.js';
import { QUARANTINE_REASONS } from '../../ledger/records.js';
import type { LedgerStore } from '../../ledger/store.js';
import type { AbacDecision } from '../../schemas/envelope.js';
import { REASON_CODES } from '../../schemas/reason-codes.js';
import { abacPrincipal } from '../../workflows/abac-principal.js';
import { redactTokens } from '../../audit/redact-tokens.js';
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

type ReadAction = 'read_events' | 'read_quarantine';

export function auditRoutes(app: FastifyInstance, deps: { jwt: JwtVerifier; uds: UdsClient; ledger: () => Promise<LedgerStore> }): void {
  async function authorize(request: FastifyRequest, action: ReadAction): Promise<void> {
    let identity: VerifiedIdentity;
    try {
      identity = await deps.jwt.verify(bearerToken(request));
    } catch (err) {
      if (err instanceof TokenRefusal) throw new GatewayError(err.code, err.message);
      throw new GatewayError('ERR_UNAVAILABLE', 'the token issuer could not be reached; try again');
    }
    const reader = { reader: identity.actor.id, actor_type: identity.actor.type, org: identity.org, issuer: identity.auth.issuer, action, query: redactTokens(request.query) };
    if (!identity.auth.scopes.includes(AUDIT_READ_SCOPE)) {
      request.log.warn({ ...reader, code: REASON_CODES.scopeMissing }, 'audit ledger read refused');
      throw new GatewayError(REASON_CODES.scopeMissing, `reading the audit ledger requires the ${AUDIT_READ_SCOPE} scope`);
    }
    let decision: AbacDecision;
    try {
      decision = await deps.uds.decide({
        action,
        principal: abacPrincipal(identity),
        resource: { kind: 'audit_ledger', id: 'ledger', attributes: {} },
        environment: { time: new Date().toISOString() },
      });
    } catch (err) {
      request.log.warn({ ...reader, err: (err as Error).message }, 'audit ledger read refused: no ABAC decision');
      throw new GatewayError('ERR_UNAVAILABLE', 'the ABAC authority could not be reached; try again');
    }
    if (decision.outcome !== 'ALLOW') {
      request.log.warn({ ...reader, code: REASON_CODES.abacDeny, uds_eval_id: decision.uds_eval_id }, 'audit ledger read refused');
      throw new GatewayError(REASON_CODES.abacDeny, `UDS denied ${action} on the audit ledger (evaluation ${decision.uds_eval_id})`);
    }
    request.log.info({ ...reader, uds_eval_id: decision.uds_eval_id }, 'audit ledger read');
  }

  app.get('/audit/events', async (request) => {
    await authorize(request, 'read_events');
    const { limit, cursor: c, ...filters } = parseQuery(eventsQuery, request.query);
    const after = c ? cursor(() => decodeEventCursor(c)) : undefined;
    return (await deps.ledger()).events({ ...filters, limit, ...(after ? { after } : {}) });
  });

  app.get('/audit/quarantine', async (request) => {
    await authorize(request, 'read_quarantine');
    const { limit, cursor: c, ...filters } = parseQuery(quarantineQuery, request.query);
    const after = c ? cursor(() => decodeQuarantineCursor(c)) : undefined;
    return (await deps.ledger()).quarantine({ ...filters, limit, ...(after !== undefined ? { after } : {}) });
  });
}
