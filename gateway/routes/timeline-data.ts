/**
 * What the timeline page (gateway/ui) reads, each with the signed-in user's bearer token, then the
 * `audit_read` scope, then an ABAC decision (audit_ledger read_events) — the same gate as GET /audit/events:
 *
 * - `GET /audit/compositions` — the composition list, filtered by type, state, lease holder and start time.
 *   It comes from Temporal visibility: the workflows' search attributes (schemas/search-attributes.ts) are
 *   exactly these filters and carry the *current* state; the ledger knows type, holder and time but holds
 *   no state column, and deriving one would replay every composition on every listing.
 * - `GET /audit/compositions/:id/export` — one composition as a signed export bundle (the exporter of
 *   `coord audit export --sign`: events, emitter signatures, the witnessed checkpoint with an inclusion
 *   proof per event, the decoded history, the manifest and its JWS), as `{ composition_id, files }`.
 *   The browser verifies it itself; the page's download and "Load an export…" use the same shape.
 * - `GET /ui/trust.json` — the public keys the page verifies against: the export key, the emitter keys, the
 *   log key and the witnesses' keys (ledger/federation/sender-keys.ts, as a partner's trust file has them).
 *   Delivered by this server, they show the record is consistent with our own keys; a partner who wants
 *   more pins its own copy (coord federation trust) and loads exports against it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UdsClient } from '../../activities/abac/uds.js';
import { exportFromLedger } from '../../ledger/export.js';
import { loadWitnesses } from '../../ledger/log/log-key.js';
import { LogService } from '../../ledger/log/log-service.js';
import { loadSenderKeys } from '../../ledger/federation/sender-keys.js';
import { loadOrCreateSigningKey, type SigningKey } from '../../ledger/signing-key.js';
import type { LedgerStore } from '../../ledger/store.js';
import { STATES } from '../../schemas/lifecycle.js';
import { COMPOSITION_STATE, COMPOSITION_TYPE, LEASE_HOLDER } from '../../schemas/search-attributes.js';
import { WORKFLOW_TYPE } from '../../workflows/definitions.js';
import { GatewayError } from '../errors.js';
import { parseRequestPart } from '../parse-request.js';
import { authorizeRead } from '../read-access.js';
import { AUDIT_READ_SCOPE } from './audit.js';

/** A filter value: the characters ids, types and issuers use — nothing that could close a quoted string. */
const filterText = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:@/+-]+$/, 'letters, digits and _ . : @ / + - only');
const isoTime = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date-time')
  .transform((s) => new Date(Date.parse(s)).toISOString());

export const compositionListQuery = z.strictObject({
  composition_type: filterText.optional(),
  state: z.enum(STATES).optional(),
  lease_holder: filterText.optional(),
  /** started at or after */
  since: isoTime.optional(),
  /** started before */
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type CompositionListQuery = z.output<typeof compositionListQuery>;

export const compositionIdParams = z.strictObject({ id: z.string().regex(/^cmp_[A-Za-z0-9_-]{1,120}$/, 'not a composition id') });

const parse = parseRequestPart;

/** A visibility string literal; the values are already restricted to characters that need no escape. */
const literal = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** The Temporal visibility query for a listing: our workflow type on our task queue, then the filters. */
export function visibilityQuery(filters: Omit<CompositionListQuery, 'limit'>, taskQueue: string): string {
  const clauses = [`WorkflowType = ${literal(WORKFLOW_TYPE)}`, `TaskQueue = ${literal(taskQueue)}`];
  if (filters.composition_type) clauses.push(`${COMPOSITION_TYPE.name} = ${literal(filters.composition_type)}`);
  if (filters.state) clauses.push(`${COMPOSITION_STATE.name} = ${literal(filters.state)}`);
  if (filters.lease_holder) clauses.push(`${LEASE_HOLDER.name} = ${literal(filters.lease_holder)}`);
  if (filters.since) clauses.push(`StartTime >= ${literal(filters.since)}`);
  if (filters.until) clauses.push(`StartTime < ${literal(filters.until)}`);
  return clauses.join(' AND ');
}

export interface CompositionSummary {
  composition_id: string;
  composition_type: string | null;
  state: string | null;
  lease_holder: string | null;
  started: string;
  closed: string | null;
  status: string;
}

/** The page's public keys (see the header): the shape of audit/bundle/trust-file.ts, plus what it means. */
export interface PageTrustFile {
  bundle_key: unknown;
  emitter_keys: readonly unknown[];
  log_keys: readonly string[];
  witness_keys: readonly string[];
  delivered_by: 'this gateway';
}

export interface TimelineDataDeps {
  uds: UdsClient;
  ledger: () => Promise<LedgerStore>;
  client: { temporal: Client; taskQueue: string };
  codec: PayloadCodec;
}

/** Reads an export directory back as `{ name: text }`, every file the exporter wrote. */
function readBundle(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

export function timelineDataRoutes(app: FastifyInstance, deps: TimelineDataDeps): void {
  const authorize = (request: FastifyRequest, what: string) =>
    authorizeRead(request, deps.uds, { resource: { kind: 'audit_ledger', action: 'read_events' }, id: 'ledger', scope: AUDIT_READ_SCOPE, what });
  let signingKey: Promise<SigningKey> | undefined;

  app.get('/audit/compositions', async (request) => {
    await authorize(request, 'composition list read');
    const { limit, ...filters } = parse(compositionListQuery, request.query, 'query');
    const compositions: CompositionSummary[] = [];
    for await (const wf of deps.client.temporal.workflow.list({ query: visibilityQuery(filters, deps.client.taskQueue) })) {
      const attributes = wf.typedSearchAttributes;
      compositions.push({
        composition_id: wf.workflowId,
        composition_type: attributes.get(COMPOSITION_TYPE) ?? null,
        state: attributes.get(COMPOSITION_STATE) ?? null,
        lease_holder: attributes.get(LEASE_HOLDER) ?? null,
        started: wf.startTime.toISOString(),
        closed: wf.closeTime?.toISOString() ?? null,
        status: wf.status.name,
      });
      if (compositions.length >= limit) break;
    }
    return { compositions };
  });

  app.get('/audit/compositions/:id/export', async (request, reply) => {
    const { id } = parse(compositionIdParams, request.params, 'params');
    await authorize(request, 'composition export');
    const store = await deps.ledger();
    if (!(await store.compositionIds({ composition_id: id })).length) throw new GatewayError('ERR_NOT_FOUND', `the ledger holds no event of ${id}`);
    // the exporter writes files: a private directory of its own, gone once read back
    const dir = mkdtempSync(join(tmpdir(), 'coord-page-export-'));
    try {
      // loaded once; a failed load is not kept, so the next export tries again instead of failing until a restart
      signingKey ??= loadOrCreateSigningKey().catch((err: unknown) => {
        signingKey = undefined;
        throw err;
      });
      await exportFromLedger({ store, temporal: deps.client.temporal, codec: deps.codec, filter: { composition_id: id }, selection: { composition: id }, dir, signingKey: await signingKey, log: new LogService(store, loadWitnesses) });
      reply.header('cache-control', 'no-store');
      return { composition_id: id, files: readBundle(dir) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  app.get('/ui/trust.json', async (request, reply): Promise<PageTrustFile> => {
    await authorize(request, 'page trust read');
    const keys = await loadSenderKeys();
    reply.header('cache-control', 'no-store');
    return { bundle_key: keys.sliceKey, emitter_keys: keys.emitterKeys, log_keys: keys.logKeys, witness_keys: keys.witnessKeys, delivered_by: 'this gateway' };
  });
}
