/** The federation outbox's tables in the PostgreSQL ledger store: the same statements, numbered placeholders. */
import type pg from 'pg';
import { numbered, transaction } from '../pg-sql.js';
import type { OutboxStatus } from './schema.js';
import {
  OutboxConflictError,
  type CoveredEvent,
  type DecisionRecord,
  type FederationStore,
  type OutboxRow,
  type PackagedSlice,
  type PartnerState,
  type PartnerSummary,
  type ReceiptRecorded,
  type ReceiptTransition,
} from './store.js';
import { COVERED_EVENTS_SQL, decisionFromRow, summariesFrom, toPublishQuery, type DecisionDbRow, type SummaryRows } from './store-rows.js';

type Queryable = pg.Pool | pg.PoolClient;
const query = async <T>(client: Queryable, sql: string, params: unknown[] = []): Promise<{ rows: T[]; rowCount: number }> => {
  const result = await client.query(numbered(sql), params);
  return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
};

const INSERT_DECISION = `INSERT INTO federation_decisions (partner, composition_id, composition_type, from_sequence, to_sequence, partner_took_part, schema_ids, outcome, uds_eval_id, evaluated_at, decided_ms, slice_seq)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`;
const decisionParams = (d: DecisionRecord, sliceSeq: number | null) => [
  d.partner,
  d.composition_id,
  d.composition_type,
  d.from_sequence,
  d.to_sequence,
  d.partner_took_part ? 1 : 0,
  JSON.stringify(d.schema_ids),
  d.outcome,
  d.uds_eval_id,
  d.evaluated_at,
  d.decided_ms,
  sliceSeq,
];

export class PostgresFederationStore implements FederationStore {
  constructor(private readonly pool: pg.Pool) {}

  async partnerState(partner: string, selectionDigest: string): Promise<PartnerState> {
    let state: PartnerState | undefined;
    await transaction(this.pool, 'BEGIN', async (client) => {
      await query(client, 'INSERT INTO federation_partners (partner, next_seq, sent_size, sent_root, scanned_size, selection_digest) VALUES (?, 1, 0, NULL, 0, ?) ON CONFLICT (partner) DO NOTHING', [partner, selectionDigest]);
      await query(client, 'UPDATE federation_partners SET scanned_size = 0, selection_digest = ? WHERE partner = ? AND selection_digest <> ?', [selectionDigest, partner, selectionDigest]);
      state = (await query<PartnerState>(client, 'SELECT * FROM federation_partners WHERE partner = ?', [partner])).rows[0];
    });
    return state!;
  }

  async setScanned(partner: string, size: number): Promise<void> {
    await query(this.pool, 'UPDATE federation_partners SET scanned_size = ? WHERE partner = ?', [size, partner]);
  }

  async progress(partner: string, compositionId: string): Promise<number> {
    const { rows } = await query<{ last_sequence: number }>(this.pool, 'SELECT last_sequence FROM federation_progress WHERE partner = ? AND composition_id = ?', [partner, compositionId]);
    return rows[0]?.last_sequence ?? 0;
  }

  async compositionsWithLeaves(fromSize: number, toSize: number): Promise<string[]> {
    const { rows } = await query<{ composition_id: string }>(
      this.pool,
      'SELECT composition_id FROM tlog_leaves WHERE leaf_index >= ? AND leaf_index < ? GROUP BY composition_id ORDER BY MIN(leaf_index)',
      [fromSize, toSize],
    );
    return rows.map((r) => r.composition_id);
  }

  async coveredEvents(compositionId: string, size: number): Promise<CoveredEvent[]> {
    return (await query<CoveredEvent>(this.pool, COVERED_EVENTS_SQL, [compositionId, size])).rows;
  }

  async recordDecision(decision: DecisionRecord): Promise<number> {
    return (await query<{ id: number }>(this.pool, INSERT_DECISION, decisionParams(decision, null))).rows[0]!.id;
  }

  async packageSlice(s: PackagedSlice): Promise<void> {
    await transaction(this.pool, 'BEGIN', async (client) => {
      const moved = await query(client, 'UPDATE federation_partners SET next_seq = next_seq + 1, sent_size = ?, sent_root = ? WHERE partner = ? AND next_seq = ?', [s.checkpoint_size, s.checkpoint_root, s.partner, s.slice_seq]);
      if (moved.rowCount !== 1) throw new OutboxConflictError(`partner ${s.partner}: slice ${s.slice_seq} was given out meanwhile`);
      const progressed =
        s.previous_sequence === 0
          ? await query(client, 'INSERT INTO federation_progress (partner, composition_id, last_sequence) VALUES (?, ?, ?) ON CONFLICT (partner, composition_id) DO NOTHING', [s.partner, s.composition_id, s.to_sequence])
          : await query(client, 'UPDATE federation_progress SET last_sequence = ? WHERE partner = ? AND composition_id = ? AND last_sequence = ?', [s.to_sequence, s.partner, s.composition_id, s.previous_sequence]);
      if (progressed.rowCount !== 1) throw new OutboxConflictError(`partner ${s.partner}: ${s.composition_id} was packaged past ${s.previous_sequence} meanwhile`);
      const decisionId = (await query<{ id: number }>(client, INSERT_DECISION, decisionParams(s.decision, s.slice_seq))).rows[0]!.id;
      await query(
        client,
        `INSERT INTO federation_outbox (partner, slice_seq, composition_id, from_sequence, to_sequence, checkpoint_size, digest, message, status, decision_id, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [s.partner, s.slice_seq, s.composition_id, s.from_sequence, s.to_sequence, s.checkpoint_size, s.digest, s.message, decisionId, s.created_ms],
      );
    });
  }

  async toPublish(partner: string, resendBeforeMs: number, retryReasons: readonly string[] = []): Promise<OutboxRow[]> {
    const { sql, params } = toPublishQuery(partner, resendBeforeMs, retryReasons);
    return (await query<OutboxRow>(this.pool, sql, params)).rows;
  }

  async markSent(partner: string, sliceSeq: number, nowMs: number): Promise<void> {
    await query(this.pool, "UPDATE federation_outbox SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END, sent_ms = ?, publish_count = publish_count + 1 WHERE partner = ? AND slice_seq = ?", [
      nowMs,
      partner,
      sliceSeq,
    ]);
  }

  async recordReceipt(partner: string, sliceSeq: number, digest: string, receipt: { reason_code: string | null; message: string; received_ms: number }, transition: ReceiptTransition): Promise<ReceiptRecorded> {
    let outcome: ReceiptRecorded = 'unknown_slice';
    await transaction(this.pool, 'BEGIN', async (client) => {
      const { rows } = await query<{ status: OutboxStatus }>(client, 'SELECT status FROM federation_outbox WHERE partner = ? AND slice_seq = ? AND digest = ? FOR UPDATE', [partner, sliceSeq, digest]);
      if (!rows[0]) return;
      const next = transition(rows[0].status);
      if (!next) {
        outcome = 'unchanged';
        return;
      }
      if (next.keepReceipt) {
        await query(client, 'UPDATE federation_outbox SET status = ?, reason_code = ?, receipt = ?, receipt_ms = ? WHERE partner = ? AND slice_seq = ?', [next.status, receipt.reason_code, receipt.message, receipt.received_ms, partner, sliceSeq]);
      } else {
        await query(client, 'UPDATE federation_outbox SET status = ? WHERE partner = ? AND slice_seq = ?', [next.status, partner, sliceSeq]);
      }
      outcome = 'recorded';
    });
    return outcome;
  }

  async outboxRow(partner: string, sliceSeq: number): Promise<OutboxRow | undefined> {
    return (await query<OutboxRow>(this.pool, 'SELECT * FROM federation_outbox WHERE partner = ? AND slice_seq = ?', [partner, sliceSeq])).rows[0];
  }

  async decisions(partner?: string): Promise<(DecisionRecord & { id: number; slice_seq: number | null })[]> {
    const { rows } =
      partner === undefined
        ? await query<DecisionDbRow>(this.pool, 'SELECT * FROM federation_decisions ORDER BY id')
        : await query<DecisionDbRow>(this.pool, 'SELECT * FROM federation_decisions WHERE partner = ? ORDER BY id', [partner]);
    return rows.map(decisionFromRow);
  }

  async summaries(): Promise<PartnerSummary[]> {
    const all = async <T>(sql: string) => (await query<T>(this.pool, sql)).rows;
    const rows: SummaryRows = {
      partners: await all('SELECT partner, next_seq, sent_size FROM federation_partners ORDER BY partner'),
      statuses: await all('SELECT partner, status, COUNT(*) AS n FROM federation_outbox GROUP BY partner, status'),
      reasons: await all("SELECT partner, COALESCE(reason_code, 'unknown') AS reason_code, COUNT(*) AS n FROM federation_outbox WHERE status = 'refused' GROUP BY partner, reason_code"),
      decisions: await all('SELECT partner, outcome, COUNT(*) AS n FROM federation_decisions GROUP BY partner, outcome'),
      lastReceipts: await all(
        `SELECT o.partner, o.slice_seq, o.receipt, o.receipt_ms FROM federation_outbox o
         JOIN (SELECT partner, MAX(receipt_ms) AS receipt_ms FROM federation_outbox WHERE receipt IS NOT NULL GROUP BY partner) l
           ON o.partner = l.partner AND o.receipt_ms = l.receipt_ms ORDER BY o.partner, o.slice_seq DESC`,
      ),
    };
    return summariesFrom(rows);
  }
}
