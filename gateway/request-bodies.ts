/**
 * Request bodies of the HTTP API, as zod schemas: the caller's part of each event payload is the event's
 * payload schema minus the fields the ledger sets. Used for 422s with field paths and for /openapi.json.
 */
import { z } from 'zod';
import { definitionOf } from '../schemas/catalog.js';
import { agentSchema } from '../schemas/envelope.js';
import { compositionId, compositionType } from '../schemas/primitives.js';
import { SCHEMA_ID_PATTERN, type SchemaId } from '../schemas/schema-ids.js';
import { ACTION_SCHEMAS, DEFAULTED_FIELDS, LEDGER_FIELDS } from '../workflows/actions.js';
import type { ActionName } from '../workflows/types.js';

type Payload = z.ZodObject;

/** What the caller supplies of an event's payload: no ledger-set fields; defaulted fields optional. */
export function callerPayloadSchema(schemaId: SchemaId): Payload {
  const payload = definitionOf(schemaId)!.payload as Payload;
  const ledgerSet = LEDGER_FIELDS[schemaId] ?? [];
  // Keys are only known at run time: zod's key masks are typed for literal keys, hence the casts.
  const mask = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, true])) as never;
  const callerPart: Payload = ledgerSet.length ? payload.omit(mask(ledgerSet)) : payload;
  const defaulted = DEFAULTED_FIELDS[schemaId] ?? [];
  return defaulted.length ? callerPart.partial(mask(defaulted)) : callerPart;
}


export const startBody = z.strictObject({
  composition_id: compositionId.optional(),
  composition_type: compositionType,
  payload: z.record(z.string(), z.unknown()),
  agent: agentSchema.optional(),
});

export const actionBody = z.strictObject({
  payload: z.record(z.string(), z.unknown()).default({}),
  agent: agentSchema.optional(),
  /** `events` only: which progress event */
  schema_id: z.string().regex(SCHEMA_ID_PATTERN).optional(),
  /** PSI rounds: each federated participant's bearer token */
  participant_tokens: z.strictObject({ node_a: z.string().min(1), node_b: z.string().min(1) }).optional(),
  /** `attest` only: `signal` returns 202 at once; the outcome is read at /signals/{request_id} */
  mode: z.enum(['update', 'signal']).default('update'),
});
export type ActionBody = z.infer<typeof actionBody>;

/** The schema an HTTP action emits, or a 422 reason. */
export function schemaForBody(action: ActionName, schemaId: string | undefined): { schemaId: SchemaId } | { error: string } {
  const allowed = ACTION_SCHEMAS[action];
  if (schemaId === undefined) return allowed.length === 1 ? { schemaId: allowed[0]! } : { error: `schema_id is required: one of ${allowed.join(', ')}` };
  const found = allowed.find((s) => s === schemaId);
  return found ? { schemaId: found } : { error: `schema_id must be one of ${allowed.join(', ')}` };
}
