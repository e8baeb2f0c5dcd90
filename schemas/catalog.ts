/**
 * The event catalog: every contract the ledger accepts, keyed by `schema_id`, with its registry metadata.
 * Writing or verifying an event whose `schema_id` is not here is refused (seed §7.1).
 */
import type { z } from 'zod';
import type { EventDefinition } from './define-event.js';
import { accessDenied } from './events/access-denied.js';
import { cancelled, closed, evidenceRejected, requested } from './events/composition.js';
import { correction } from './events/correction.js';
import { evidenceBlockEmitted, matchesPublished } from './events/evidence.js';
import { leaseClaimed, leaseExpired, leaseReleased, leaseRenewed } from './events/lease.js';
import { lensRunCompleted, lensRunStarted, psiRoundCompleted, workStarted } from './events/work.js';
import type { SchemaId } from './schema-ids.js';

export const EVENT_DEFINITIONS = [
  requested,
  leaseClaimed,
  leaseRenewed,
  workStarted,
  leaseExpired,
  leaseReleased,
  lensRunStarted,
  psiRoundCompleted,
  lensRunCompleted,
  evidenceBlockEmitted,
  matchesPublished,
  closed,
  evidenceRejected,
  cancelled,
  accessDenied,
  correction,
] as const;

type Definitions = (typeof EVENT_DEFINITIONS)[number];

/** The payload type of one schema id. */
export type PayloadOf<Id extends SchemaId> = z.infer<Extract<Definitions, { schemaId: Id }>['payload']>;

/** Any event of the catalog (envelope + payload), as stored in the audit topic. */
export type AuditEvent = z.infer<Definitions['event']>;

const BY_ID: ReadonlyMap<string, EventDefinition> = new Map(EVENT_DEFINITIONS.map((d) => [d.schemaId, d as EventDefinition]));

export function definitionOf(schemaId: string): EventDefinition | undefined {
  return BY_ID.get(schemaId);
}

export function isKnownSchemaId(schemaId: unknown): schemaId is SchemaId {
  return typeof schemaId === 'string' && BY_ID.has(schemaId);
}

export type EventValidation =
  | { ok: true; event: AuditEvent }
  | { ok: false; kind: 'unknown_schema' | 'invalid_event'; path: string; message: string };

/** "payload.lease_window_seconds" style path of a zod issue. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/** Validates a value against the contract its `schema_id` names. Pure; no registry needed. */
export function validateEvent(value: unknown): EventValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, kind: 'invalid_event', path: '(root)', message: 'an event must be a JSON object' };
  }
  const schemaId = (value as { schema_id?: unknown }).schema_id;
  const def = typeof schemaId === 'string' ? BY_ID.get(schemaId) : undefined;
  if (!def) {
    return { ok: false, kind: 'unknown_schema', path: 'schema_id', message: `unknown schema_id ${JSON.stringify(schemaId ?? null)}` };
  }
  const parsed = def.event.safeParse(value);
  if (parsed.success) return { ok: true, event: value as AuditEvent };
  const issue = parsed.error.issues[0]!;
  return { ok: false, kind: 'invalid_event', path: issuePath(issue.path), message: issue.message };
}
