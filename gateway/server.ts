/**
 * The HTTP gateway (Fastify): humans and agents act on compositions with a bearer JWT; errors come back
 * as `{ error: { code, message, path?, audit_event_id? } }` with 400/401/403/404/409/422.
 */
import cors from '@fastify/cors';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { UdsClient } from '../activities/abac/uds.js';
import type { JwtVerifier } from '../activities/jwt/verifier.js';
import type { LedgerStore } from '../ledger/store.js';
import type { CoordinationClient } from '../client/coordination-client.js';
import { redactUrlTokens } from '../audit/redact-tokens.js';
import { CoordinationError } from '../client/errors.js';
import { temporalUiUrl } from '../config/endpoints.js';
import { GatewayError, httpStatusOf, type ErrorBody } from './errors.js';
import { openApiDocument } from './openapi.js';
import { auditRoutes } from './routes/audit.js';
import { codecRoutes } from './routes/codec.js';
import { compositionRoutes } from './routes/compositions.js';

export interface GatewayDeps {
  client: CoordinationClient;
  jwt: JwtVerifier;
  /** ABAC decisions for what the gateway decides itself: reads of the audit ledger */
  uds: UdsClient;
  codec: PayloadCodec;
  logger: Logger;
  /** the audit ledger, opened on first use */
  ledger: () => Promise<LedgerStore>;
}

/** Fastify's own request serializer, with bearer tokens in the query redacted. */
function requestLogLine(req: FastifyRequest) {
  return { method: req.method, url: redactUrlTokens(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  // pino's Logger is Fastify's logger; only the declared types differ.
  // Fastify's request log line carries the URL: a token pasted into a query string must not reach the log.
  const logger = deps.logger.child({}, { serializers: { req: requestLogLine } });
  const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger, bodyLimit: 256 * 1024, requestTimeout: 10 * 60_000 });

  // The Web UI calls the codec endpoints from the browser.
  const ui = new URL(temporalUiUrl());
  await app.register(cors, {
    origin: [ui.origin, `${ui.protocol}//localhost:${ui.port}`],
    methods: ['POST', 'GET', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
  });

  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    let body: ErrorBody;
    if (err instanceof GatewayError) body = { error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) } };
    else if (err instanceof CoordinationError) body = { error: { code: err.code, message: err.message } };
    else if ('statusCode' in err && err.statusCode && err.statusCode < 500) {
      const code = err.statusCode === 415 ? 'ERR_UNSUPPORTED_MEDIA_TYPE' : 'ERR_BAD_REQUEST';
      body = { error: { code, message: err.message } };
    } else {
      request.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
    }
    return reply.code(httpStatusOf(body.error.code)).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` } }));

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/openapi.json', async () => openApiDocument());
  compositionRoutes(app, deps);
  codecRoutes(app, deps.codec);
  auditRoutes(app, deps);
  return app;
}
