/**
 * The command-line options of `coord audit events | export | quarantine`, mapped onto the ledger's query
 * fields and validated by the same schemas as the HTTP API (ledger/query-schema.ts). A bad value is a usage
 * error naming the option.
 */
import type { z } from 'zod';
import { eventFilterSchema, quarantineFilterSchema, type EventFilter, type QuarantineFilter } from '../../ledger/query.js';
import { UsageError } from '../output.js';

/** option → query field, for events (and exports, which select events the same way) */
const EVENT_OPTIONS = {
  composition: 'composition_id',
  event: 'event_id',
  hash: 'this_hash',
  schema: 'schema_id',
  actor: 'actor_id',
  'actor-type': 'actor_type',
  issuer: 'issuer',
  abac: 'abac_outcome',
  'composition-type': 'composition_type',
  'lease-holder': 'lease_holder',
  ref: 'entity_ref',
  'ref-field': 'entity_ref_field',
  since: 'since',
  until: 'until',
  'ingested-since': 'ingested_since',
  'ingested-until': 'ingested_until',
} as const;

const QUARANTINE_OPTIONS = {
  reason: 'reason',
  composition: 'composition_id',
  event: 'event_id',
  'ingested-since': 'ingested_since',
  'ingested-until': 'ingested_until',
} as const;

type Options<T> = { [K in keyof T]: { type: 'string' } };
const strings = <T extends Record<string, string>>(options: T): Options<T> =>
  Object.fromEntries(Object.keys(options).map((k) => [k, { type: 'string' }])) as Options<T>;

/** parseArgs options for the event filters */
export const FILTER_OPTIONS = strings(EVENT_OPTIONS);
/** parseArgs options for the quarantine filters */
export const QUARANTINE_FILTER_OPTIONS = strings(QUARANTINE_OPTIONS);

function parse<S extends z.ZodType>(schema: S, names: Record<string, string>, values: Record<string, unknown>): z.output<S> {
  const raw = Object.fromEntries(Object.entries(names).flatMap(([option, field]) => (values[option] === undefined ? [] : [[field, values[option]]])));
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = Object.entries(names).find(([, field]) => field === issue.path[0])?.[0] ?? String(issue.path[0]);
  throw new UsageError(`--${option}: ${issue.message}`);
}

export const parseFilters = (values: Record<string, unknown>): EventFilter => parse(eventFilterSchema, EVENT_OPTIONS, values);
export const parseQuarantineFilters = (values: Record<string, unknown>): QuarantineFilter => parse(quarantineFilterSchema, QUARANTINE_OPTIONS, values);
