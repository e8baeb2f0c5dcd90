/**
 * The HTTP gateway (Fastify): humans and agents act on compositions with a bearer JWT; errors come back
 * as `{ error: { code, message, path?, audit_event_id? } }` with 400/401/403/404/409/413/422/429/503.
 *
 * Every request but /healthz and /openapi.json goes through, in order, before its body is read: the rate
 * limit of its source address, its caller (gateway/caller.ts: no token or a non-JWT is a 401 here), the rate
 * limit of its verified subject. The routes then authorise reads themselves (gateway/read-access.ts) and hand
 * actions to the workflow, which verifies, authorises and records.
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
import { identifyCaller } from './caller.js';
import { GatewayError, httpStatusOf, type ErrorBody, type GatewayErrorCode } from './errors.js';
import { openApiDocument } from './openapi.js';
import { DEFAULT_RATE_LIMITS, rateLimitChecks, type RateLimits } from './rate-limits.js';
import { auditRoutes } from './routes/audit.js';
import { codecRoutes } from './routes/codec.js';
import { compositionRoutes } from './routes/compositions.js';
import { streamRoutes } from './routes/stream.js';
import { streamSettings, type StreamSettings } from './stream/settings.js';
import { timelineDataRoutes } from './routes/timeline-data.js';
import { UI_PUBLIC_ROUTES, uiRoutes } from './routes/ui.js';

export interface GatewayDeps {
  client: CoordinationClient;
  jwt: JwtVerifier;
  /** ABAC decisions for what the gateway decides itself: reads (audit ledger, compositions) and the codec */
  uds: UdsClient;
  codec: PayloadCodec;
  logger: Logger;
  /** the audit ledger, opened on first use */
  ledger: () => Promise<LedgerStore>;
}

export interface GatewayOptions {
  /** per source address and per verified subject; default DEFAULT_RATE_LIMITS */
  rateLimit?: Partial<RateLimits>;
  /**
   * `Host` values the codec endpoints answer to (`host:port`). Default: the address the gateway listens on,
   * as 127.0.0.1, localhost and [::1] with its port.
   */
  codecHosts?: readonly string[];
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDRs). Default none: the source
   * address is the peer's, so a caller cannot pick a fresh per-source quota by sending the header.
   */
  trustedProxies?: readonly string[];
  /** GET /audit/stream's pacing and bounds; default: the COORD_AUDIT_STREAM_* settings */
  stream?: Partial<StreamSettings>;
}

/** The routes anyone may call: no token, no rate limit. The timeline page's static assets and config hold no data. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/openapi.json', ...UI_PUBLIC_ROUTES]);

/** Request body limit of the API; the codec's is larger (gateway/routes/codec.ts). */
export const BODY_LIMIT = 256 * 1024;

/** Fastify's own request serializer, with bearer tokens in the query redacted. */
function requestLogLine(req: FastifyRequest) {
  return { method: req.method, url: redactUrlTokens(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** Fastify's and plugins' client errors, by status, as stable codes. */
function codeOfClientError(statusCode: number): GatewayErrorCode {
  switch (statusCode) {
    case 413:
      return 'ERR_PAYLOAD_TOO_LARGE';
    case 415:
      return 'ERR_UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'ERR_RATE_LIMITED';
    default:
      return 'ERR_BAD_REQUEST';
  }
}

export async function buildGateway(deps: GatewayDeps, options: GatewayOptions = {}): Promise<FastifyInstance> {
  // pino's Logger is Fastify's logger; only the declared types differ.
  // Fastify's request log line carries the URL: a token pasted into a query string must not reach the log.
  const logger = deps.logger.child({}, { serializers: { req: requestLogLine } });
  const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger, bodyLimit: BODY_LIMIT, requestTimeout: 10 * 60_000, trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false });

  // The Web UI calls the codec endpoints from the browser, with the signed-in user's access token.
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
    else if ('statusCode' in err && err.statusCode && err.statusCode < 500) body = { error: { code: codeOfClientError(err.statusCode), message: err.message } };
    else {
      request.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
    }
    const status = httpStatusOf(body.error.code);
    if (status === 401) reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${body.error.code}"`);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` } }));

  const limits = await rateLimitChecks(app, { ...DEFAULT_RATE_LIMITS, ...options.rateLimit });
  const isPublic = (request: FastifyRequest) => request.method === 'OPTIONS' || PUBLIC_ROUTES.has(request.routeOptions.url ?? '');
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    await limits.perSource(request, reply);
    request.caller = await identifyCaller(request, deps.jwt);
    await limits.perSubject(request, reply);
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/openapi.json', async () => openApiDocument());
  compositionRoutes(app, deps);
  codecRoutes(app, deps, options.codecHosts);
  auditRoutes(app, deps);
  streamRoutes(app, deps, { ...streamSettings(), ...options.stream });
  timelineDataRoutes(app, deps);
  uiRoutes(app);
  return app;
}
