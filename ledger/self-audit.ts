/**
 * The continuous self-audit (seed 001: "delta must be zero"): for every recent composition, the head of
 * its chain according to Temporal must equal the ledger's head. `delta` counts compositions whose heads
 * differ; the ledger trailing the workflow by a few events is lag, and normal for a moment. A difference
 * that outlives the lag window is an alarm.
 */
import type { LedgerHead } from './records.js';
import type { WitnessRefusalRow } from './log/rows.js';
import type { LedgerStore } from './store.js';
import type { WorkflowHead, WorkflowHeadSource } from './workflow-heads.js';

export type MismatchKind =
  /** the workflow has acknowledged events the ledger does not hold (yet) */
  | 'ledger_behind'
  /** the ledger holds events beyond what the workflow acknowledged */
  | 'ledger_ahead'
  /** same sequence, different hash: the two tell different stories */
  | 'hash_differs'
  /** the ledger holds a composition Temporal has no workflow for */
  | 'no_workflow';

export interface Mismatch {
  composition_id: string;
  kind: MismatchKind;
  workflow: { sequence: number; last_hash: string | null } | null;
  ledger: { sequence: number; this_hash: string } | null;
  /** how long this difference has been seen, in seconds */
  age_seconds: number;
  alarm: boolean;
}

export interface SelfAuditReport {
  ok: boolean;
  /** compositions whose heads differ */
  delta: number;
  lag: { events: number; compositions: number; max_seconds: number };
  checked: number;
  matched: number;
  /** compositions in the topic whose workflows run on another task queue (another deployment): skipped */
  other_task_queues: number;
  unverifiable: { composition_id: string; reason: string }[];
  /**
   * compositions whose workflow was handled outside the pipeline — terminated or reset by an operator or a
   * tool, which the pipeline never does (cancel is a lifecycle event): the record stops or forks where
   * Temporal was cut, and an auditor should know why. Reported whether or not the heads agree; an alarm.
   */
  outside_pipeline: { composition_id: string; status: string }[];
  mismatches: Mismatch[];
  /**
   * the transparency log: its size against the events held (a leaf for every admitted event, no more, no
   * less), and the witnesses' refusals not followed by a cosignature of theirs — a rewritten or truncated
   * log. Either is an alarm.
   */
  log: { size: number; events: number; checkpoint_size: number | null; witness_refusals: Omit<WitnessRefusalRow, 'body'>[] };
  alarm: boolean;
  window_seconds: number;
  lag_window_seconds: number;
}

export interface SelfAuditOptions {
  store: LedgerStore;
  workflows: WorkflowHeadSource;
  /** compositions active within this many seconds are checked */
  windowSeconds?: number;
  /** a difference older than this is an alarm */
  lagWindowSeconds?: number;
  now?: () => number;
}

/** Workflow statuses the pipeline never produces: a composition ends by completing (closed, cancelled, or an opening that timed out). */
const ENDED_OUTSIDE_PIPELINE: ReadonlySet<string> = new Set(['TERMINATED']);

function compare(wf: WorkflowHead, ledger: LedgerHead | undefined): Pick<Mismatch, 'kind' | 'workflow' | 'ledger'> | 'match' | 'foreign' | { unverifiable: string } {
  const l = ledger ? { sequence: ledger.sequence, this_hash: ledger.this_hash } : null;
  if (!wf.found) return { kind: 'no_workflow', workflow: null, ledger: l };
  if ('taskQueue' in wf) return 'foreign';
  if ('unverifiable' in wf) return { unverifiable: wf.unverifiable };
  const w = { sequence: wf.sequence, last_hash: wf.last_hash };
  const ledgerSeq = l?.sequence ?? 0;
  if (w.sequence === ledgerSeq) return w.last_hash === (l?.this_hash ?? null) ? 'match' : { kind: 'hash_differs', workflow: w, ledger: l };
  return { kind: w.sequence > ledgerSeq ? 'ledger_behind' : 'ledger_ahead', workflow: w, ledger: l };
}

export class SelfAudit {
  /** when each composition's current difference was first seen (cleared when it matches again) */
  private readonly firstSeen = new Map<string, { kind: MismatchKind; at: number }>();
  private readonly windowSeconds: number;
  private readonly lagWindowSeconds: number;
  private readonly now: () => number;

  constructor(private readonly opts: SelfAuditOptions) {
    this.windowSeconds = opts.windowSeconds ?? 24 * 3600;
    this.lagWindowSeconds = opts.lagWindowSeconds ?? 120;
    this.now = opts.now ?? Date.now;
  }

  private async logState(): Promise<SelfAuditReport['log']> {
    const { log } = this.opts.store;
    const [size, counts, checkpoint, refusals] = await Promise.all([log.size(), this.opts.store.counts(), log.checkpoint(), log.refusals()]);
    const standing: SelfAuditReport['log']['witness_refusals'] = [];
    for (const { body: _body, ...r } of refusals) {
      const cosigned = await log.lastCosignature(r.witness);
      if (!cosigned || cosigned.received_ms < r.received_ms) standing.push(r);
    }
    return { size, events: counts.events, checkpoint_size: checkpoint?.tree_size ?? null, witness_refusals: standing };
  }

  async pass(): Promise<SelfAuditReport> {
    const now = this.now();
    const since = now - this.windowSeconds * 1000;
    const ledgerHeads = new Map((await this.opts.store.recentHeads(since)).map((h) => [h.composition_id, h]));
    const ids = new Set([...(await this.opts.workflows.recent(since)), ...ledgerHeads.keys()]);
    // heads of compositions Temporal lists but whose last ledger event is older than the window
    const missing = [...ids].filter((id) => !ledgerHeads.has(id));
    for (const [id, head] of await this.opts.store.heads(missing)) ledgerHeads.set(id, head);

    const mismatches: Mismatch[] = [];
    const unverifiable: SelfAuditReport['unverifiable'] = [];
    const outsidePipeline: SelfAuditReport['outside_pipeline'] = [];
    let matched = 0;
    let foreign = 0;
    for (const id of [...ids].sort()) {
      let verdict: ReturnType<typeof compare>;
      try {
        const wf = await this.opts.workflows.head(id);
        if (wf.found && ENDED_OUTSIDE_PIPELINE.has(wf.status)) outsidePipeline.push({ composition_id: id, status: wf.status });
        else if (wf.found && 'reset' in wf && wf.reset) outsidePipeline.push({ composition_id: id, status: 'RESET' });
        verdict = compare(wf, ledgerHeads.get(id));
      } catch (err) {
        verdict = { unverifiable: `could not read the workflow: ${(err as Error).message}` };
      }
      if (verdict === 'foreign') {
        foreign += 1;
      } else if (verdict === 'match') {
        matched += 1;
        this.firstSeen.delete(id);
      } else if ('unverifiable' in verdict) {
        unverifiable.push({ composition_id: id, reason: verdict.unverifiable });
      } else {
        const seen = this.firstSeen.get(id);
        const at = seen && seen.kind === verdict.kind ? seen.at : now;
        this.firstSeen.set(id, { kind: verdict.kind, at });
        const age = (now - at) / 1000;
        mismatches.push({ composition_id: id, ...verdict, age_seconds: age, alarm: age >= this.lagWindowSeconds });
      }
    }
    for (const id of this.firstSeen.keys()) if (!ids.has(id)) this.firstSeen.delete(id);

    const behind = mismatches.filter((m) => m.kind === 'ledger_behind');
    const log = await this.logState();
    const alarm = mismatches.some((m) => m.alarm) || outsidePipeline.length > 0 || log.size !== log.events || log.witness_refusals.length > 0;
    return {
      ok: mismatches.length === 0,
      delta: mismatches.length,
      lag: {
        events: behind.reduce((n, m) => n + m.workflow!.sequence - (m.ledger?.sequence ?? 0), 0),
        compositions: behind.length,
        max_seconds: Math.max(0, ...mismatches.map((m) => m.age_seconds)),
      },
      checked: ids.size - foreign,
      other_task_queues: foreign,
      matched,
      unverifiable,
      outside_pipeline: outsidePipeline,
      mismatches,
      log,
      alarm,
      window_seconds: this.windowSeconds,
      lag_window_seconds: this.lagWindowSeconds,
    };
  }
}
