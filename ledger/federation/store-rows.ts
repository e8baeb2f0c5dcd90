/** Queries and row mappings the SQLite and PostgreSQL federation stores share (`?` placeholders). */
import type { OutboxStatus } from './schema.js';
import type { DecisionRecord, PartnerSummary } from './store.js';

/** A composition's events under a tree size, with their leaves and emitter signatures, in sequence order. */
export const COVERED_EVENTS_SQL = `SELECT e.sequence, e.event_id, e.body, l.leaf_index, e.emitter_kid, e.emitter_sig
  FROM ledger_events e JOIN tlog_leaves l ON l.event_id = e.event_id
  WHERE e.composition_id = ? AND l.leaf_index < ? ORDER BY e.sequence`;

/** The rows to publish now (FederationStore.toPublish), as a statement and its parameters. */
export function toPublishQuery(partner: string, resendBeforeMs: number, retryReasons: readonly string[]): { sql: string; params: unknown[] } {
  const retry = retryReasons.length ? ` OR (status = 'refused' AND sent_ms < ? AND reason_code IN (${retryReasons.map(() => '?').join(', ')}))` : '';
  return {
    sql: `SELECT * FROM federation_outbox WHERE partner = ? AND (status = 'pending' OR (status = 'sent' AND sent_ms < ?)${retry}) ORDER BY slice_seq`,
    params: [partner, resendBeforeMs, ...(retryReasons.length ? [resendBeforeMs, ...retryReasons] : [])],
  };
}

export interface DecisionDbRow extends Omit<DecisionRecord, 'partner_took_part' | 'schema_ids'> {
  id: number;
  partner_took_part: number;
  schema_ids: string;
  slice_seq: number | null;
}

export const decisionFromRow = (r: DecisionDbRow): DecisionRecord & { id: number; slice_seq: number | null } => ({
  ...r,
  partner_took_part: Boolean(r.partner_took_part),
  schema_ids: JSON.parse(r.schema_ids) as string[],
});

export interface SummaryRows {
  partners: { partner: string; next_seq: number; sent_size: number }[];
  statuses: { partner: string; status: OutboxStatus; n: number }[];
  reasons: { partner: string; reason_code: string; n: number }[];
  decisions: { partner: string; outcome: 'ALLOW' | 'DENY'; n: number }[];
  lastReceipts: { partner: string; slice_seq: number; receipt: string; receipt_ms: number }[];
}

/** Per partner (every partner with state, an outbox row or a decision), in name order. */
export function summariesFrom(rows: SummaryRows): PartnerSummary[] {
  const names = [...new Set([...rows.partners, ...rows.statuses, ...rows.decisions].map((r) => r.partner))].sort();
  return names.map((partner) => {
    const state = rows.partners.find((p) => p.partner === partner);
    const last = rows.lastReceipts.find((r) => r.partner === partner);
    return {
      partner,
      next_seq: Number(state?.next_seq ?? 1),
      sent_size: Number(state?.sent_size ?? 0),
      statuses: Object.fromEntries(rows.statuses.filter((r) => r.partner === partner).map((r) => [r.status, Number(r.n)])),
      refused_reasons: Object.fromEntries(rows.reasons.filter((r) => r.partner === partner).map((r) => [r.reason_code, Number(r.n)])),
      decisions: {
        ALLOW: Number(rows.decisions.find((r) => r.partner === partner && r.outcome === 'ALLOW')?.n ?? 0),
        DENY: Number(rows.decisions.find((r) => r.partner === partner && r.outcome === 'DENY')?.n ?? 0),
      },
      last_receipt: last ? { slice_seq: Number(last.slice_seq), receipt: last.receipt, receipt_ms: Number(last.receipt_ms) } : null,
    };
  });
}
