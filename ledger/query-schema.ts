/**
 * What a ledger query may ask, validated once for the HTTP API, the CLI and the OpenAPI document: every
 * field bounded (no value longer than MAX_FILTER_LENGTH, no page larger than MAX_PAGE), enumerations closed,
 * unknown fields refused. Seed 003 §2.8 axes: ids, hashes, actor, issuer, ABAC outcome, composition type,
 * lease holder, entity references, event time and ingest time.
 */
import { z } from 'zod';
import { ENTITY_REF_FIELDS } from '../schemas/entity-refs.js';
import { QUARANTINE_REASONS } from './records.js';

/** The longest filter value accepted: longer than any id, hash or reference the ledger stores. */
export const MAX_FILTER_LENGTH = 512;

// NUL is refused here: PostgreSQL cannot hold it in text, so it would fail there and not on SQLite
const text = z
  .string()
  .min(1)
  .max(MAX_FILTER_LENGTH)
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL');

const isoTime = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date-time')
  .transform((s) => Date.parse(s));

export const eventFilterSchema = z.strictObject({
  composition_id: text.optional(),
  /** one event by its id */
  event_id: text.optional(),
  /** one event by its hash */
  this_hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256: and 64 lowercase hex digits').optional(),
  schema_id: text.optional(),
  actor_id: text.optional(),
  actor_type: z.enum(['human', 'agent', 'service', 'system']).optional(),
  issuer: text.optional(),
  abac_outcome: z.enum(['ALLOW', 'DENY']).optional(),
  /** events of compositions of this type (payload.composition_type of the request) */
  composition_type: text.optional(),
  /** events of compositions whose lease this holder held (payload.lease_holder of a lease event) */
  lease_holder: text.optional(),
  /** events whose payload names this entity in one of the reference fields (schemas/entity-refs.ts) */
  entity_ref: text.optional(),
  /** only this reference field; alone, events carrying any value in it */
  entity_ref_field: z.enum(ENTITY_REF_FIELDS).optional(),
  /** inclusive lower bound on ts_utc */
  since: isoTime.optional(),
  /** exclusive upper bound on ts_utc */
  until: isoTime.optional(),
  /** inclusive lower bound on the time the ledger admitted the event (rows from before ingest times were kept have none) */
  ingested_since: isoTime.optional(),
  /** exclusive upper bound on the ingest time */
  ingested_until: isoTime.optional(),
});
export type EventFilter = z.output<typeof eventFilterSchema>;

/**
 * What the live stream (GET /audit/stream) may filter on: the event's own columns compared for equality,
 * picked from the event filter so both are validated alike. Only these, because the stream applies them twice
 * with one meaning — in SQL for the backlog and in memory for live rows (ledger/admitted.ts).
 */
export const streamFilterSchema = eventFilterSchema.pick({ composition_id: true, schema_id: true, actor_id: true, actor_type: true, issuer: true, abac_outcome: true });
export type StreamFilter = z.output<typeof streamFilterSchema>;

export const quarantineFilterSchema = z.strictObject({
  reason: z.enum(QUARANTINE_REASONS).optional(),
  composition_id: text.optional(),
  /** the event id the refused message claimed */
  event_id: text.optional(),
  /** inclusive lower bound on the time the message was quarantined */
  ingested_since: isoTime.optional(),
  /** exclusive upper bound on the time the message was quarantined */
  ingested_until: isoTime.optional(),
});
export type QuarantineFilter = z.output<typeof quarantineFilterSchema>;

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export const pageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
  cursor: z.string().min(1).max(MAX_FILTER_LENGTH).optional(),
});
