/**
 * `GET /audit/stream`: the ledger's admitted events as Server-Sent Events, live, in admission order
 * (ledger/admitted.ts). Authorised like every ledger read: a verified bearer token with `audit_read`, then an
 * ABAC decision (audit_ledger, action `stream`) — deny unless allowed, 503 without a decision. Filters are
 * the stream's subset of the event filter (ledger/query-schema.ts); unknown or bad ones are a 400 naming
 * `query.<field>`.
 *
 * Resume: `Last-Event-ID: <position>` (what a client got last) replays the events after it, then goes live,
 * with none missed or repeated (gateway/stream/subscription.ts). Browsers' EventSource cannot send an
 * Authorization header, so clients read the stream with fetch(); `last_event_id` in the query is accepted for
 * clients that cannot set headers, the header wins when both are sent. Without either, the stream starts now.
 *
 * Bounds: open streams per caller and in all (429 ERR_RATE_LIMITED), bytes held for a slow client (the stream
 * ends and the client resumes). The stream ends when the token expires (the client re-authenticates) and when
 * the gateway stops; each end is announced by a last `stream_end` event naming why.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UdsClient } from '../../activities/abac/uds.js';
import { streamFilterSchema } from '../../ledger/query-schema.js';
import type { LedgerStore } from '../../ledger/store.js';
import { GatewayError } from '../errors.js';
import { subjectOf } from '../idempotency.js';
import { parseRequestPart } from '../parse-request.js';
import { authorizeRead } from '../read-access.js';
import { StreamCaps } from '../stream/caps.js';
import { AdmittedHub } from '../stream/hub.js';
import type { StreamSettings } from '../stream/settings.js';
import { SseResponse } from '../stream/sse.js';
import { Subscription, type EndReason } from '../stream/subscription.js';
import { AUDIT_READ_SCOPE } from './audit.js';

/** A stream position as a client sends it back: a decimal integer, no sign, no leading zero. */
const POSITION = /^(0|[1-9][0-9]{0,15})$/;
const position = z
  .string()
  .regex(POSITION, 'expected a stream position: the id of an event this stream sent')
  .transform(Number)
  .refine(Number.isSafeInteger, 'expected a stream position: the id of an event this stream sent');

export const streamQuery = streamFilterSchema.extend({ last_event_id: position.optional() });

/** The longest a timer can wait (setTimeout's limit); a token living longer is re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const parseQuery = (value: unknown): z.infer<typeof streamQuery> => parseRequestPart(streamQuery, value, 'query');

/** The Last-Event-ID header's position, if sent. */
function resumeHeader(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  if (header === undefined) return undefined;
  const parsed = position.safeParse(header);
  if (!parsed.success) throw new GatewayError('ERR_BAD_REQUEST', parsed.error.issues[0]!.message, 'header.last-event-id');
  return parsed.data;
}

const END_OF: Record<EndReason | 'token_expired' | 'shutdown', string> = {
  overflow: 'the client read too slowly; reconnect with Last-Event-ID',
  error: 'the ledger could not be read; reconnect with Last-Event-ID',
  stopped: 'stopped',
  token_expired: 'the bearer token expired; reconnect with a fresh token and Last-Event-ID',
  shutdown: 'the gateway is stopping; reconnect with Last-Event-ID',
};

export function streamRoutes(app: FastifyInstance, deps: { uds: UdsClient; ledger: () => Promise<LedgerStore> }, settings: StreamSettings): void {
  const caps = new StreamCaps(settings);
  const hub = new AdmittedHub(deps.ledger, { pollMs: settings.pollMs, pageSize: settings.pageSize, onError: (err) => app.log.warn({ err: (err as Error).message }, 'audit stream: reading the ledger failed') });
  /** ends each open stream: the server cannot close while a stream holds its connection */
  const open = new Set<(reason: 'shutdown') => void>();
  app.addHook('preClose', async () => {
    hub.close();
    for (const end of open) end('shutdown');
  });

  app.get('/audit/stream', async (request, reply) => {
    const identity = await authorizeRead(request, deps.uds, { resource: { kind: 'audit_ledger', action: 'stream' }, id: 'ledger', scope: AUDIT_READ_SCOPE, what: 'audit stream' });
    const { last_event_id, ...filter } = parseQuery(request.query);
    const from = resumeHeader(request) ?? last_event_id;
    await deps.ledger(); // a ledger that cannot be opened is an error response, not an empty stream
    const slot = caps.acquire(subjectOf(request.caller)!);
    if ('refused' in slot) {
      request.log.warn({ reader: identity.actor.id, issuer: identity.auth.issuer }, `audit stream refused: ${slot.refused}`);
      throw new GatewayError('ERR_RATE_LIMITED', slot.refused);
    }
    const { release } = slot;

    reply.hijack();
    const sse = new SseResponse(reply.raw, settings.bufferBytes);
    // headers set by hooks so far (CORS, rate limits) would be lost with the hijack
    sse.start(reply.getHeaders(), settings.retryMs);
    const subscription = new Subscription(hub, deps.ledger, from, filter, sse, { pageSize: settings.pageSize, maxHeldBytes: settings.bufferBytes });

    const heartbeat = setInterval(() => sse.heartbeat(), settings.heartbeatMs);
    // a verified token always names its expiry (activities/jwt/identity.ts); the type allows events without one
    const expiresInMs = identity.auth.expires_at ? Date.parse(identity.auth.expires_at) - Date.now() : Number.NaN;
    const expiry = Number.isFinite(expiresInMs) ? setTimeout(() => end('token_expired'), Math.min(Math.max(expiresInMs, 0), MAX_TIMER_MS)) : undefined;
    let ended = false;
    function end(reason: EndReason | 'token_expired' | 'shutdown'): void {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      open.delete(end);
      release();
      subscription.stop();
      if (reason !== 'stopped') sse.end({ name: 'stream_end', data: { reason, message: END_OF[reason], last_event_id: subscription.position === undefined ? null : String(subscription.position) } });
      request.log.info({ reader: identity.actor.id, reason, position: subscription.position }, 'audit stream ended');
    }
    open.add(end);
    reply.raw.on('close', () => end('stopped'));
    void subscription.ended.then(end);
    await subscription.start();
  });
}
