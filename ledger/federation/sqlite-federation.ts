/** The federation outbox's tables in the SQLite ledger store (one connection: each transaction is synchronous). */
import type Database from 'better-sqlite3';
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

export class SqliteFederationStore implements FederationStore {
  constructor(private readonly db: Database.Database) {}

  async partnerState(partner: string, selectionDigest: string): Promise<PartnerState> {
    return this.db
      .transaction(() => {
        this.db
          .prepare("INSERT INTO federation_partners (partner, next_seq, sent_size, sent_root, scanned_size, selection_digest) VALUES (?, 1, 0, NULL, 0, ?) ON CONFLICT (partner) DO NOTHING")
          .run(partner, selectionDigest);
        this.db.prepare('UPDATE federation_partners SET scanned_size = 0, selection_digest = ? WHERE partner = ? AND selection_digest <> ?').run(selectionDigest, partner, selectionDigest);
        return this.db.prepare('SELECT * FROM federation_partners WHERE partner = ?').get(partner) as PartnerState;
      })
      .immediate();
  }

  async setScanned(partner: string, size: number): Promise<void> {
    this.db.prepare('UPDATE federation_partners SET scanned_size = ? WHERE partner = ?').run(size, partner);
  }

  async progress(partner: string, compositionId: string): Promise<number> {
    const row = this.db.prepare('SELECT last_sequence FROM federation_progress WHERE partner = ? AND composition_id = ?').get(partner, compositionId) as { last_sequence: number } | undefined;
    return row?.last_sequence ?? 0;
  }

  async compositionsWithLeaves(fromSize: number, toSize: number): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT composition_id FROM tlog_leaves WHERE leaf_index >= ? AND leaf_index < ? GROUP BY composition_id ORDER BY MIN(leaf_index)')
      .all(fromSize, toSize) as { composition_id: string }[];
    return rows.map((r) => r.composition_id);
  }

  async coveredEvents(compositionId: string, size: number): Promise<CoveredEvent[]> {
    return this.db.prepare(COVERED_EVENTS_SQL).all(compositionId, size) as CoveredEvent[];
  }

  private insertDecision(d: DecisionRecord, sliceSeq: number | null): number {
    const result = this.db
      .prepare(
        `INSERT INTO federation_decisions (partner, composition_id, composition_type, from_sequence, to_sequence, partner_took_part, schema_ids, outcome, uds_eval_id, evaluated_at, decided_ms, slice_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.partner, d.composition_id, d.composition_type, d.from_sequence, d.to_sequence, d.partner_took_part ? 1 : 0, JSON.stringify(d.schema_ids), d.outcome, d.uds_eval_id, d.evaluated_at, d.decided_ms, sliceSeq);
    return Number(result.lastInsertRowid);
  }

  async recordDecision(decision: DecisionRecord): Promise<number> {
    return this.insertDecision(decision, null);
  }

  async packageSlice(s: PackagedSlice): Promise<void> {
    this.db
      .transaction(() => {
        const moved = this.db
          .prepare('UPDATE federation_partners SET next_seq = next_seq + 1, sent_size = ?, sent_root = ? WHERE partner = ? AND next_seq = ?')
          .run(s.checkpoint_size, s.checkpoint_root, s.partner, s.slice_seq);
        if (moved.changes !== 1) throw new OutboxConflictError(`partner ${s.partner}: slice ${s.slice_seq} was given out meanwhile`);
        const progressed =
          s.previous_sequence === 0
            ? this.db.prepare('INSERT INTO federation_progress (partner, composition_id, last_sequence) VALUES (?, ?, ?) ON CONFLICT (partner, composition_id) DO NOTHING').run(s.partner, s.composition_id, s.to_sequence)
            : this.db.prepare('UPDATE federation_progress SET last_sequence = ? WHERE partner = ? AND composition_id = ? AND last_sequence = ?').run(s.to_sequence, s.partner, s.composition_id, s.previous_sequence);
        if (progressed.changes !== 1) throw new OutboxConflictError(`partner ${s.partner}: ${s.composition_id} was packaged past ${s.previous_sequence} meanwhile`);
        const decisionId = this.insertDecision(s.decision, s.slice_seq);
        this.db
          .prepare(
            `INSERT INTO federation_outbox (partner, slice_seq, composition_id, from_sequence, to_sequence, checkpoint_size, digest, message, status, decision_id, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
          )
          .run(s.partner, s.slice_seq, s.composition_id, s.from_sequence, s.to_sequence, s.checkpoint_size, s.digest, s.message, decisionId, s.created_ms);
      })
      .immediate();
  }

  async toPublish(partner: string, resendBeforeMs: number, retryReasons: readonly string[] = []): Promise<OutboxRow[]> {
    const { sql, params } = toPublishQuery(partner, resendBeforeMs, retryReasons);
    return this.db.prepare(sql).all(...params) as OutboxRow[];
  }

  async markSent(partner: string, sliceSeq: number, nowMs: number): Promise<void> {
    this.db
      .prepare("UPDATE federation_outbox SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END, sent_ms = ?, publish_count = publish_count + 1 WHERE partner = ? AND slice_seq = ?")
      .run(nowMs, partner, sliceSeq);
  }

  async recordReceipt(partner: string, sliceSeq: number, digest: string, receipt: { reason_code: string | null; message: string; received_ms: number }, transition: ReceiptTransition): Promise<ReceiptRecorded> {
    return this.db
      .transaction((): ReceiptRecorded => {
        const row = this.db.prepare('SELECT status FROM federation_outbox WHERE partner = ? AND slice_seq = ? AND digest = ?').get(partner, sliceSeq, digest) as { status: OutboxStatus } | undefined;
        if (!row) return 'unknown_slice';
        const next = transition(row.status);
        if (!next) return 'unchanged';
        if (next.keepReceipt) {
          this.db
            .prepare('UPDATE federation_outbox SET status = ?, reason_code = ?, receipt = ?, receipt_ms = ? WHERE partner = ? AND slice_seq = ?')
            .run(next.status, receipt.reason_code, receipt.message, receipt.received_ms, partner, sliceSeq);
        } else {
          this.db.prepare('UPDATE federation_outbox SET status = ? WHERE partner = ? AND slice_seq = ?').run(next.status, partner, sliceSeq);
        }
        return 'recorded';
      })
      .immediate();
  }

  async outboxRow(partner: string, sliceSeq: number): Promise<OutboxRow | undefined> {
    return this.db.prepare('SELECT * FROM federation_outbox WHERE partner = ? AND slice_seq = ?').get(partner, sliceSeq) as OutboxRow | undefined;
  }

  async decisions(partner?: string): Promise<(DecisionRecord & { id: number; slice_seq: number | null })[]> {
    const rows = (partner === undefined
      ? this.db.prepare('SELECT * FROM federation_decisions ORDER BY id').all()
      : this.db.prepare('SELECT * FROM federation_decisions WHERE partner = ? ORDER BY id').all(partner)) as DecisionDbRow[];
    return rows.map(decisionFromRow);
  }

  async summaries(): Promise<PartnerSummary[]> {
    const rows: SummaryRows = {
      partners: this.db.prepare('SELECT partner, next_seq, sent_size FROM federation_partners ORDER BY partner').all() as SummaryRows['partners'],
      statuses: this.db.prepare('SELECT partner, status, COUNT(*) AS n FROM federation_outbox GROUP BY partner, status').all() as SummaryRows['statuses'],
      reasons: this.db.prepare("SELECT partner, COALESCE(reason_code, 'unknown') AS reason_code, COUNT(*) AS n FROM federation_outbox WHERE status = 'refused' GROUP BY partner, reason_code").all() as SummaryRows['reasons'],
      decisions: this.db.prepare('SELECT partner, outcome, COUNT(*) AS n FROM federation_decisions GROUP BY partner, outcome').all() as SummaryRows['decisions'],
      lastReceipts: this.db
        .prepare(
          `SELECT o.partner, o.slice_seq, o.receipt, o.receipt_ms FROM federation_outbox o
           JOIN (SELECT partner, MAX(receipt_ms) AS receipt_ms FROM federation_outbox WHERE receipt IS NOT NULL GROUP BY partner) l
             ON o.partner = l.partner AND o.receipt_ms = l.receipt_ms ORDER BY o.partner, o.slice_seq DESC`,
        )
        .all() as SummaryRows['lastReceipts'],
    };
    return summariesFrom(rows);
  }
}
