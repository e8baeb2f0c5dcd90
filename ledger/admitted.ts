/**
 * The ledger's admission order, which the live stream (GET /audit/stream) follows and resumes from.
 *
 * No new column is needed: leaf i of the transparency log is the i-th admitted event (ledger/log/), written
 * in the same transaction as the event, and its index is taken under the log's append lock (SQLite's single
 * writer; PostgreSQL's advisory transaction lock, held to COMMIT). So positions only grow, never repeat, and
 * a reader always sees a prefix of them: a later leaf cannot become visible before an earlier one. A poller
 * that has read everything up to position p can therefore never be handed a row at or below p afterwards —
 * which is what lets a stream resume with no gap and no duplicate.
 *
 * A stream position is the log's size once the event was admitted (leaf index + 1): position 0 is "before
 * the first event", and an event's position is the first checkpoint size that includes it.
 */
import type { StreamFilter } from './query-schema.js';

/** One admitted event, with the columns the stream filters on. */
export interface AdmittedRow {
  position: number;
  composition_id: string;
  schema_id: string;
  actor_id: string;
  actor_type: string;
  issuer: string | null;
  abac_outcome: string | null;
  /** the event as recorded (canonical JSON) */
  body: string;
  /** when the ledger admitted it (epoch ms); null for rows from before ingest times were kept */
  ingested_ms: number | null;
  emitter_kid: string | null;
  emitter_sig: string | null;
}

export interface AdmittedQuery extends StreamFilter {
  /** rows at positions greater than this */
  after: number;
  /** and at most this (none: up to the newest) */
  through?: number;
  limit: number;
}

/** The stream's filter fields: each an equality on the ledger_events column of the same name. */
export const STREAM_FILTER_COLUMNS = ['composition_id', 'schema_id', 'actor_id', 'actor_type', 'issuer', 'abac_outcome'] as const satisfies readonly (keyof StreamFilter & keyof AdmittedRow)[];

/** The admitted rows a query asks for, in admission order, with `?` placeholders (each store adapts them). */
export function admittedSql(q: AdmittedQuery): { sql: string; params: unknown[] } {
  // position p = leaf_index p - 1: "after p" is leaf_index >= p, "through t" is leaf_index < t
  const terms = ['l.leaf_index >= ?'];
  const params: unknown[] = [q.after];
  if (q.through !== undefined) {
    terms.push('l.leaf_index < ?');
    params.push(q.through);
  }
  for (const column of STREAM_FILTER_COLUMNS) {
    if (q[column] === undefined) continue;
    terms.push(`e.${column} = ?`);
    params.push(q[column]);
  }
  params.push(q.limit);
  return {
    sql: `SELECT l.leaf_index + 1 AS position, e.composition_id, e.schema_id, e.actor_id, e.actor_type, e.issuer, e.abac_outcome, e.body, e.ingested_ms, e.emitter_kid, e.emitter_sig
      FROM tlog_leaves l JOIN ledger_events e ON e.event_id = l.event_id
      WHERE ${terms.join(' AND ')} ORDER BY l.leaf_index LIMIT ?`,
    params,
  };
}

/** Whether a live row passes `filter` — the same equalities admittedSql puts in SQL (a NULL column matches nothing). */
export function matchesStreamFilter(row: AdmittedRow, filter: StreamFilter): boolean {
  return STREAM_FILTER_COLUMNS.every((column) => filter[column] === undefined || row[column] === filter[column]);
}
