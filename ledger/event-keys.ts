/**
 * The keys the ledger derives from an event's payload at ingest, one row each in `ledger_event_keys`, so
 * that the composition-type, lease-holder and entity-reference axes are indexed lookups, never scans of the
 * stored JSON. The rows are written in the same transaction as the event and never change; a database that
 * predates them is backfilled from the stored bodies when a store opens on it.
 */
import { ENTITY_REF_FIELDS } from '../schemas/entity-refs.js';

/** Axes on the composition: an event matches when any event of its composition carries the key. */
export const COMPOSITION_AXES = ['composition_type', 'lease_holder'] as const;
export type CompositionAxis = (typeof COMPOSITION_AXES)[number];

/** Every axis a key row may have: the composition axes, then each entity reference field. */
export const KEY_AXES: readonly string[] = [...COMPOSITION_AXES, ...ENTITY_REF_FIELDS];

export interface EventKey {
  composition_id: string;
  sequence: number;
  axis: string;
  value: string;
}

/** The key rows of one event: each KEY_AXES field its payload carries as a non-empty string. */
export function eventKeys(row: { composition_id: string; sequence: number; body: string }): EventKey[] {
  let payload: unknown;
  try {
    payload = (JSON.parse(row.body) as { payload?: unknown }).payload;
  } catch {
    return [];
  }
  if (!payload || typeof payload !== 'object') return [];
  const fields = payload as Record<string, unknown>;
  return KEY_AXES.flatMap((axis) => {
    const value = fields[axis];
    return typeof value === 'string' && value.length > 0 ? [{ composition_id: row.composition_id, sequence: row.sequence, axis, value }] : [];
  });
}

export const INSERT_KEY_COLUMNS = 'ledger_event_keys (composition_id, sequence, axis, value)';

/** A database whose events predate the key rows holds events and no key: the stores backfill it on open. */
export const KEYS_PRESENT_SQL = 'SELECT 1 FROM ledger_event_keys LIMIT 1';
export const KEY_SOURCE_SQL = 'SELECT composition_id, sequence, body FROM ledger_events ORDER BY composition_id, sequence';

/** Key rows of many events, in their order. */
export const keysOf = (rows: readonly { composition_id: string; sequence: number; body: string }[]): EventKey[] => rows.flatMap(eventKeys);
