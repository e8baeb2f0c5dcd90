/**
 * Read access to the ledger for auditors: `GET /audit/events` (every query axis of ledger/query-schema.ts,
 * keyset pages; `event_id` or `this_hash` looks up one event) and `GET /audit/quarantine` (reason,
 * composition, event id, ingest time); a bad value is a 400 ERR_BAD_REQUEST naming `query.<field>`. A
 * verified bearer token with the `audit_read` scope is required, then an ABAC decision (resource
 * `audit_ledger`, action read_events / read_quarantine): deny unless allowed, and deny when no decision can
 * be had (gateway/read-access.ts, which also logs every read, allowed or denied).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { UdsClient } from '../../activities/abac/uds.js';
import { CursorError, decodeEventCursor, decodeQuarantineCursor, eventFilterSchema, pageSchema, quarantineFilterSchema } from '../../ledger/query.js';
import type { LedgerStore } from '../../ledger/store.js';
import { eventPageInView, viewSchema } from '../../ledger/view.js';
import { GatewayError } from '../errors.js';
import { parseRequestPart } from '../parse-request.js';
import { authorizeRead } from '../read-access.js';

export const AUDIT_READ_SCOPE = 'audit_read';

/** `view=current` reads the events with corrections applied (ledger/view.ts); the default is as recorded. */
export const eventsQuery = eventFilterSchema.extend(pageSchema.shape).extend(viewSchema.shape);
export const quarantineQuery = quarantineFilterSchema.extend(pageSchema.shape);

const parseQuery = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> => parseRequestPart(schema, value, 'query');

function cursor<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CursorError) throw new GatewayError('ERR_BAD_REQUEST', err.message, 'query.cursor');
    throw err;
  }
}

export function auditRoutes(app: FastifyInstance, deps: { uds: UdsClient; ledger: () => Promise<LedgerStore> }): void {
  const authorize = (request: FastifyRequest, action: 'read_events' | 'read_quarantine') =>
    authorizeRead(request, deps.uds, { resource: { kind: 'audit_ledger', action }, id: 'ledger', scope: AUDIT_READ_SCOPE, what: 'audit ledger read' });

  app.get('/audit/events', async (request) => {
    await authorize(request, 'read_events');
    const { limit, cursor: c, view, ...filters } = parseQuery(eventsQuery, request.query);
    const after = c ? cursor(() => decodeEventCursor(c)) : undefined;
    return eventPageInView(await deps.ledger(), { ...filters, limit, ...(after ? { after } : {}) }, view);
  });

  app.get('/audit/quarantine', async (request) => {
    await authorize(request, 'read_quarantine');
    const { limit, cursor: c, ...filters } = parseQuery(quarantineQuery, request.query);
    const after = c ? cursor(() => decodeQuarantineCursor(c)) : undefined;
    return (await deps.ledger()).quarantine({ ...filters, limit, ...(after !== undefined ? { after } : {}) });
  });
}
