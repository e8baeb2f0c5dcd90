/**
 * Query axes of the ledger (seed 003 §2.8): composition, schema_id, actor id and type, issuer, ABAC
 * outcome, time window. Results come in one deterministic order — composition id, then sequence — and
 * pages are cut by a keyset cursor, so a page never shifts when new events arrive elsewhere.
 */
import { z } from 'zod';
import type { QuarantineRow } from './records.js';

const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO-8601 date-time')
  .transform((s) => Date.parse(s));

export const eventFilterSchema = z.strictObject({
  composition_id: z.string().min(1).optional(),
  schema_id: z.string().min(1).optional(),
  actor_id: z.string().min(1).optional(),
  actor_type: z.enum(['human', 'agent', 'service', 'system']).optional(),
  issuer: z.string().min(1).optional(),
  abac_outcome: z.enum(['ALLOW', 'DENY']).optional(),
  /** inclusive lower bound on ts_utc */
  since: isoTime.optional(),
  /** exclusive upper bound on ts_utc */
  until: isoTime.optional(),
});
export type EventFilter = z.output<typeof eventFilterSchema>;

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export const pageSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
  cursor: z.string().min(1).optional(),
});

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

export interface QuarantineQuery {
  composition_id?: string;
  reason?: string;
  limit: number;
  /** resume after this quarantine row id */
  after?: number;
}

export interface QuarantineEntry extends Omit<QuarantineRow, 'source'> {
  id: number;
  source: QuarantineRow['source'];
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
  if (q.since !== undefined) {
    terms.push('ts_ms >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    terms.push('ts_ms < ?');
    params.push(q.until);
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
  ] as const) {
    if (value === undefined) continue;
    terms.push(`${column} = ?`);
    params.push(value);
  }
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
