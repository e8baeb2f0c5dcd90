/**
 * Query axes of the ledger (seed 003 §2.8) as SQL; which fields a query may carry, and their bounds, are in
 * ledger/query-schema.ts. Results come in one deterministic order — composition id, then sequence — and
 * pages are cut by a keyset cursor, so a page never shifts when new events arrive elsewhere. Composition
 * type and lease holder select whole compositions, entity references single events, both through the key
 * rows of ledger/event-keys.ts.
 */
import { ENTITY_REF_FIELDS } from '../schemas/entity-refs.js';
import { COMPOSITION_AXES } from './event-keys.js';
import type { EventFilter, QuarantineFilter } from './query-schema.js';
import type { QuarantineRow } from './records.js';

export { DEFAULT_PAGE, MAX_PAGE, eventFilterSchema, pageSchema, quarantineFilterSchema, type EventFilter, type QuarantineFilter } from './query-schema.js';

export interface EventQuery extends EventFilter {
  limit: number;
  /** resume after this (composition_id, sequence) */
  after?: { composition_id: string; sequence: number };
}

export interface EventPage {
  events: unknown[];
  /** pass back as `cursor` for the next page; null on the last page */
  next_cursor: string | null;
}

export interface QuarantineQuery extends QuarantineFilter {
  limit: number;
  /** resume after this quarantine row id */
  after?: number;
}

export interface QuarantineEntry extends Omit<QuarantineRow, 'source'> {
  id: number;
  source: QuarantineRow['source'];
  /** when the ledger quarantined it (epoch ms); null for rows from before ingest times were kept */
  ingested_ms: number | null;
}

export interface QuarantinePage {
  entries: QuarantineEntry[];
  next_cursor: string | null;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export class CursorError extends Error {
  override name = 'CursorError';
}

export function decodeEventCursor(cursor: string): { composition_id: string; sequence: number } {
  try {
    const [composition_id, sequence] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof composition_id === 'string' && Number.isInteger(sequence)) return { composition_id, sequence: sequence as number };
  } catch {
    /* fall through */
  }
  throw new CursorError('cursor is not one this ledger issued');
}

export function decodeQuarantineCursor(cursor: string): number {
  const id = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(id) || id < 0) throw new CursorError('cursor is not one this ledger issued');
  return id;
}

/** `from <= column < to`, each bound when given. */
function range(terms: string[], params: unknown[], column: string, from: number | undefined, to: number | undefined): void {
  if (from !== undefined) {
    terms.push(`${column} >= ?`);
    params.push(from);
  }
  if (to !== undefined) {
    terms.push(`${column} < ?`);
    params.push(to);
  }
}

/** The WHERE clause of an event query, with `?` placeholders (each store adapts them to its dialect). */
export function eventWhere(q: EventQuery): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    terms.push(`${column} = ?`);
    params.push(value);
  };
  eq('composition_id', q.composition_id);
  eq('schema_id', q.schema_id);
  eq('actor_id', q.actor_id);
  eq('actor_type', q.actor_type);
  eq('issuer', q.issuer);
  eq('abac_outcome', q.abac_outcome);
  eq('event_id', q.event_id);
  eq('this_hash', q.this_hash);
  range(terms, params, 'ts_ms', q.since, q.until);
  range(terms, params, 'ingested_ms', q.ingested_since, q.ingested_until);
  for (const axis of COMPOSITION_AXES) {
    if (q[axis] === undefined) continue;
    terms.push('composition_id IN (SELECT composition_id FROM ledger_event_keys WHERE axis = ? AND value = ?)');
    params.push(axis, q[axis]);
  }
  if (q.entity_ref !== undefined || q.entity_ref_field !== undefined) {
    const axes = q.entity_ref_field ? [q.entity_ref_field] : [...ENTITY_REF_FIELDS];
    const value = q.entity_ref === undefined ? '' : ' AND value = ?';
    terms.push(`(composition_id, sequence) IN (SELECT composition_id, sequence FROM ledger_event_keys WHERE axis IN (${axes.map(() => '?').join(', ')})${value})`);
    params.push(...axes, ...(q.entity_ref === undefined ? [] : [q.entity_ref]));
  }
  if (q.after) {
    terms.push('(composition_id > ? OR (composition_id = ? AND sequence > ?))');
    params.push(q.after.composition_id, q.after.composition_id, q.after.sequence);
  }
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/** The WHERE clause of a quarantine query (rows after the cursor's id). */
export function quarantineWhere(q: QuarantineQuery): { sql: string; params: unknown[] } {
  const terms = ['id > ?'];
  const params: unknown[] = [q.after ?? 0];
  for (const [column, value] of [
    ['composition_id', q.composition_id],
    ['reason', q.reason],
    ['event_id', q.event_id],
  ] as const) {
    if (value === undefined) continue;
    terms.push(`${column} = ?`);
    params.push(value);
  }
  range(terms, params, 'ingested_ms', q.ingested_since, q.ingested_until);
  return { sql: `WHERE ${terms.join(' AND ')}`, params };
}

/** Builds a page from up to limit + 1 rows: the extra row only says there is a next page. */
export function eventPage(rows: { composition_id: string; sequence: number; body: string }[], limit: number): EventPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((r) => JSON.parse(r.body) as unknown),
    next_cursor: rows.length > limit && last ? encodeCursor([last.composition_id, last.sequence]) : null,
  };
}
