/** The composition endpoints: start, act (claim, renew, release, events, evidence, attest, reject, cancel, corrections), read. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UdsClient } from '../../activities/abac/uds.js';
import type { CoordinationClient } from '../../client/coordination-client.js';
import { issuePath } from '../../schemas/catalog.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import type { ActionName } from '../../workflows/types.js';
import { idempotencyKey } from '../auth-header.js';
import { callerOf, type Caller } from '../caller.js';
import { GatewayError } from '../errors.js';
import { boundIdempotencyKey } from '../idempotency.js';
import { sendOutcome } from '../outcome.js';
import { authorizeRead } from '../read-access.js';
import { actionBody, callerPayloadSchema, schemaForBody, startBody } from '../request-bodies.js';

/** URL segment → workflow action. */
export const HTTP_ACTIONS: Readonly<Record<string, Exclude<ActionName, 'request'>>> = {
  claim: 'claim',
  renew: 'renew',
  release: 'release',
  events: 'report',
  evidence: 'evidence',
  attest: 'attest',
  reject: 'reject',
  cancel: 'cancel',
  /** a human's correction of an earlier event (coordination.correction.v1): a new record, never an update */
  corrections: 'correct',
};

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [prefix, issuePath(issue.path)].filter((p) => p && p !== '(root)').join('.');
  throw new GatewayError('ERR_INVALID_PAYLOAD', issue.message, path || '(body)');
}

const idParam = z.object({ id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,120}$/, 'not a composition id') });

/** The Idempotency-Key of the request, bound to its caller (gateway/idempotency.ts), or undefined. */
function boundKey(request: FastifyRequest, caller: Caller): string | undefined {
  const key = idempotencyKey(request);
  return key === undefined ? undefined : boundIdempotencyKey(caller, key);
}

export function compositionRoutes(app: FastifyInstance, deps: { client: CoordinationClient; uds: UdsClient }): void {
  const { client, uds } = deps;

  app.post('/compositions', async (request, reply) => {
    const body = parse(startBody, request.body ?? {});
    parse(callerPayloadSchema(SCHEMA_IDS.requested), body.payload, 'payload');
    const caller = callerOf(request);
    // No composition is created for a caller we cannot verify; an existing one records the attempt.
    if (caller.refusal && (!body.composition_id || !(await client.exists(body.composition_id)))) throw new GatewayError(caller.refusal.code, caller.refusal.message);
    const key = boundKey(request, caller);
    const outcome = await client.start(
      caller.token,
      { compositionType: body.composition_type, payload: body.payload, ...(body.composition_id ? { compositionId: body.composition_id } : {}), ...(body.agent ? { agent: body.agent } : {}) },
      key ? { idempotencyKey: key } : {},
    );
    if (outcome.ok) reply.header('location', `/compositions/${outcome.composition_id}`);
    return sendOutcome(reply, outcome, 201);
  });

  app.get('/compositions/:id', async (request) => {
    const { id } = parse(idParam, request.params);
    await authorizeRead(request, uds, { resource: { kind: 'composition_view', action: 'read' }, id, what: 'composition read' });
    return client.read(id);
  });

  app.post('/compositions/:id/:action', async (request, reply) => {
    const { id } = parse(idParam, request.params);
    const action = HTTP_ACTIONS[(request.params as { action: string }).action];
    if (!action) throw new GatewayError('ERR_NOT_FOUND', `no such action; one of ${Object.keys(HTTP_ACTIONS).join(', ')}`);
    const body = parse(actionBody, request.body ?? {});
    const schema = schemaForBody(action, body.schema_id);
    if ('error' in schema) throw new GatewayError('ERR_INVALID_PAYLOAD', schema.error, 'schema_id');
    parse(callerPayloadSchema(schema.schemaId), body.payload, 'payload');
    if (body.mode === 'signal' && action !== 'attest') throw new GatewayError('ERR_INVALID_PAYLOAD', 'mode "signal" is for attest only', 'mode');

    const req = {
      payload: body.payload,
      ...(body.schema_id ? { schemaId: body.schema_id } : {}),
      ...(body.agent ? { agent: body.agent } : {}),
      ...(body.participant_tokens ? { participantTokens: body.participant_tokens } : {}),
    };
    // A caller whose token does not verify is passed on: the workflow refuses and records the attempt.
    const caller = callerOf(request);
    const key = boundKey(request, caller);
    if (body.mode === 'signal') {
      const requestId = await client.attestBySignal(id, caller.token, req, key);
      return reply.code(202).send({ composition_id: id, request_id: requestId, outcome_url: `/compositions/${id}/signals/${requestId}` });
    }
    return sendOutcome(reply, await client.act(id, action, caller.token, req, key ? { idempotencyKey: key } : {}));
  });

  app.get('/compositions/:id/signals/:requestId', async (request) => {
    const { id } = parse(idParam, request.params);
    const { requestId } = request.params as { requestId: string };
    await authorizeRead(request, uds, { resource: { kind: 'composition_view', action: 'read_signal_outcome' }, id, what: 'signal outcome read' });
    const outcome = await client.signalOutcome(id, requestId);
    return { composition_id: id, request_id: requestId, status: outcome ? 'done' : 'pending', outcome };
  });
}
