/** The composition endpoints: start, act (claim, renew, release, events, evidence, attest, reject, cancel), read. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TokenRefusal } from '../../activities/jwt/refusal.js';
import type { JwtVerifier } from '../../activities/jwt/verifier.js';
import type { CoordinationClient } from '../../client/coordination-client.js';
import { issuePath } from '../../schemas/catalog.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import type { ActionName } from '../../workflows/types.js';
import { bearerToken, idempotencyKey } from '../auth-header.js';
import { GatewayError } from '../errors.js';
import { sendOutcome } from '../outcome.js';
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
};

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [prefix, issuePath(issue.path)].filter((p) => p && p !== '(root)').join('.');
  throw new GatewayError('ERR_INVALID_PAYLOAD', issue.message, path || '(body)');
}

const idParam = z.object({ id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,120}$/, 'not a composition id') });

export function compositionRoutes(app: FastifyInstance, deps: { client: CoordinationClient; jwt: JwtVerifier }): void {
  const { client, jwt } = deps;

  app.post('/compositions', async (request, reply) => {
    const body = parse(startBody, request.body ?? {});
    parse(callerPayloadSchema(SCHEMA_IDS.requested), body.payload, 'payload');
    const token = bearerToken(request);
    try {
      await jwt.verify(token);
    } catch (err) {
      // No composition is created for a caller we cannot verify; an existing one records the attempt.
      if (!(err instanceof TokenRefusal)) throw new GatewayError('ERR_UNAVAILABLE', 'the token issuer could not be reached; try again');
      if (!body.composition_id || !(await client.exists(body.composition_id))) {
        reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${err.code}"`);
        throw new GatewayError(err.code, err.message);
      }
    }
    const outcome = await client.start(
      token,
      { compositionType: body.composition_type, payload: body.payload, ...(body.composition_id ? { compositionId: body.composition_id } : {}), ...(body.agent ? { agent: body.agent } : {}) },
      { ...(idempotencyKey(request) ? { idempotencyKey: idempotencyKey(request)! } : {}) },
    );
    if (outcome.ok) reply.header('location', `/compositions/${outcome.composition_id}`);
    return sendOutcome(reply, outcome, 201);
  });

  app.get('/compositions/:id', async (request) => {
    const { id } = parse(idParam, request.params);
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
    const token = bearerToken(request);
    if (body.mode === 'signal') {
      const requestId = await client.attestBySignal(id, token, req, idempotencyKey(request));
      return reply.code(202).send({ composition_id: id, request_id: requestId, outcome_url: `/compositions/${id}/signals/${requestId}` });
    }
    const key = idempotencyKey(request);
    return sendOutcome(reply, await client.act(id, action, token, req, key ? { idempotencyKey: key } : {}));
  });

  app.get('/compositions/:id/signals/:requestId', async (request) => {
    const { id } = parse(idParam, request.params);
    const { requestId } = request.params as { requestId: string };
    const outcome = await client.signalOutcome(id, requestId);
    return { composition_id: id, request_id: requestId, status: outcome ? 'done' : 'pending', outcome };
  });
}
