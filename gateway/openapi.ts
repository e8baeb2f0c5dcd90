/** /openapi.json, generated from the same zod schemas the handlers validate with. */
import { z } from 'zod';
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import { ACTION_SCHEMAS } from '../workflows/actions.js';
import { eventsQuery, quarantineQuery } from './routes/audit.js';
import { OPS_CODEC_SCOPE } from './routes/codec.js';
import { HTTP_ACTIONS } from './routes/compositions.js';
import { compositionListQuery } from './routes/timeline-data.js';
import { streamQuery } from './routes/stream.js';
import { actionBody, callerPayloadSchema, startBody } from './request-bodies.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' });

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', example: 'ERR_LEASE_HELD' },
        message: { type: 'string' },
        path: { type: 'string', description: 'the offending field (400/422)' },
        audit_event_id: { type: 'string', description: 'the coordination.access_denied.v1 event recording the refusal' },
        state: { type: 'string' },
      },
    },
  },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: `error ${s}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));

const bearer = [{ bearer: [] }];
const idempotency = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 200 },
  description: 'repeat a request safely: the same caller (verified token) with the same key gets the first outcome; the same key from another caller is another request',
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^cmp_[A-Za-z0-9_-]{1,120}$' } };

/** One OpenAPI query parameter per field of a (flat) zod object. */
function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  const properties = (json(schema) as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.entries(properties).map(([name, fieldSchema]) => ({ name, in: 'query', required: false, schema: fieldSchema }));
}

export function openApiDocument(): Record<string, unknown> {
  const actionPaths = Object.fromEntries(
    Object.entries(HTTP_ACTIONS).map(([segment, action]) => [
      `/compositions/{id}/${segment}`,
      {
        post: {
          summary: `${segment}: emits ${ACTION_SCHEMAS[action].join(' | ')}`,
          security: bearer,
          parameters: [idParam, idempotency],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: json(actionBody) } },
            description: `payload per event: ${ACTION_SCHEMAS[action].map((s) => `${s} → ${JSON.stringify(json(callerPayloadSchema(s)))}`).join('; ')}`,
          },
          responses: {
            '200': { description: 'the audit event was published; the state changed' },
            ...(action === 'attest' ? { '202': { description: 'mode=signal: accepted; poll outcome_url' } } : {}),
            ...errors(400, 401, 403, 404, 409, 413, 422, 429),
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.0.3',
    info: { title: 'coordination-ledger gateway', version: '0.1.0', description: 'Audited composition lifecycles. Every action is verified (JWT), authorised (scopes, then UDS ABAC), checked against the lifecycle and recorded in the hash-chained audit topic before it is acknowledged.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorBody },
    },
    paths: {
      '/compositions': {
        post: {
          summary: `start a composition: emits ${SCHEMA_IDS.requested}`,
          security: bearer,
          parameters: [idempotency],
          requestBody: { required: true, content: { 'application/json': { schema: json(startBody) } } },
          responses: { '201': { description: 'started; Location names the composition' }, ...errors(400, 401, 403, 409, 413, 422, 429) },
        },
      },
      '/compositions/{id}': {
        get: { summary: 'state, lease and chain head (ABAC: composition_view read)', security: bearer, parameters: [idParam], responses: { '200': { description: 'the composition view' }, ...errors(401, 403, 404, 429, 503) } },
      },
      '/compositions/{id}/signals/{requestId}': {
        get: {
          summary: 'outcome of an attestation sent as a signal (ABAC: composition_view read_signal_outcome)',
          security: bearer,
          parameters: [idParam, { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'pending or done' }, ...errors(401, 403, 404, 429, 503) },
        },
      },
      ...actionPaths,
      '/audit/events': {
        get: {
          summary: 'canonical audit events from the ledger, by composition then sequence; event_id or this_hash looks up one event (scope audit_read, then ABAC: audit_ledger read_events)',
          security: bearer,
          parameters: queryParameters(eventsQuery),
          responses: { '200': { description: '{ events, next_cursor }: pass next_cursor as cursor for the next page' }, ...errors(400, 401, 403, 429, 503) },
        },
      },
      '/audit/quarantine': {
        get: {
          summary: 'messages the ledger refused, with the reason (scope audit_read, then ABAC: audit_ledger read_quarantine)',
          security: bearer,
          parameters: queryParameters(quarantineQuery),
          responses: { '200': { description: '{ entries, next_cursor }' }, ...errors(400, 401, 403, 429, 503) },
        },
      },
      '/audit/stream': {
        get: {
          summary: 'admitted audit events, live, as Server-Sent Events in admission order (scope audit_read, then ABAC: audit_ledger stream); read it with fetch(): EventSource cannot send the Authorization header',
          security: bearer,
          parameters: [
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' },
              description: 'resume: the id of the last event received (0: from the first event ever admitted); events after it are replayed, then the stream goes live, none missed or repeated. Without it (or last_event_id) the stream starts now',
            },
            ...queryParameters(streamQuery),
          ],
          responses: {
            '200': {
              description:
                'text/event-stream: `id: <position>` `event: audit_event` `data: {position, event, ingested_at, emitter_signature}`; `: hb` heartbeats; a last `event: stream_end` `data: {reason, message, last_event_id}` when the gateway ends it (overflow, token_expired, error, shutdown)',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(400, 401, 403, 429, 503),
          },
        },
      },
      '/audit/compositions': {
        get: {
          summary: 'compositions from Temporal visibility, filtered by type, state, lease holder and start time (scope audit_read, then ABAC: audit_ledger read_events)',
          security: bearer,
          parameters: queryParameters(compositionListQuery),
          responses: { '200': { description: '{ compositions: [{ composition_id, composition_type, state, lease_holder, started, closed, status }] }' }, ...errors(400, 401, 403, 429, 503) },
        },
      },
      '/audit/compositions/{id}/export': {
        get: {
          summary: 'one composition as a signed export bundle, { composition_id, files } (scope audit_read, then ABAC: audit_ledger read_events)',
          security: bearer,
          parameters: [idParam],
          responses: { '200': { description: 'events.jsonl, signatures.jsonl, checkpoint.txt and proofs.jsonl when witnessed, history.json, manifest.json, bundle.jws' }, ...errors(400, 401, 403, 404, 429, 503) },
        },
      },
      '/ui/trust.json': {
        get: { summary: "the public keys the timeline page verifies against (export, emitter, log, witness keys), delivered by this gateway (scope audit_read, then ABAC)", security: bearer, responses: { '200': { description: 'a trust file (audit/bundle/trust-file.ts shape)' }, ...errors(401, 403, 429, 503) } },
      },
      '/ui/': { get: { summary: 'the auditor\'s timeline page (public: static assets and /ui/config.json only; strict CSP)', responses: { '200': { description: 'HTML' } } } },
      '/codec/decode': {
        post: { summary: `Temporal codec server: decode payloads, tokens redacted (scope ${OPS_CODEC_SCOPE}, then ABAC: payload_codec decode; Host allow-list)`, security: bearer, responses: { '200': { description: 'decoded payloads' }, ...errors(400, 401, 403, 413, 429, 503) } },
      },
      '/codec/encode': {
        post: { summary: `Temporal codec server: encode payloads (scope ${OPS_CODEC_SCOPE}, then ABAC: payload_codec encode; Host allow-list)`, security: bearer, responses: { '200': { description: 'encoded payloads' }, ...errors(400, 401, 403, 413, 429, 503) } },
      },
    },
  };
}
