/**
 * Where each recent composition's chain ends according to Temporal — the other side of the self-audit.
 * Running workflows are asked (the `state` query: sequence and last hash, as of the last acknowledged
 * publish). A completed workflow's result is that same view, final: it is read once, without a worker, and
 * kept. A workflow that ended otherwise (terminated, failed, timed out, cancelled) has no result, but the
 * `state` query still answers: a worker replays its history to the end and reads the same view, final too.
 * When no worker answers within the deadline, it is reported as unverifiable rather than guessed at.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { stateQuery, WORKFLOW_TYPE } from '../workflows/definitions.js';
import type { CompositionView } from '../workflows/types.js';

export type WorkflowHead =
  | { composition_id: string; found: true; status: WorkflowExecutionStatusName; sequence: number; last_hash: string | null; reset?: boolean }
  | { composition_id: string; found: true; status: WorkflowExecutionStatusName; unverifiable: string; reset?: boolean }
  /** a workflow of another deployment (task queue): not this ledger's to audit */
  | { composition_id: string; found: true; status: WorkflowExecutionStatusName; taskQueue: string }
  | { composition_id: string; found: false };

export interface WorkflowHeadSource {
  /** ids of compositions whose workflow ran on our task queue since `sinceMs` */
  recent(sinceMs: number): Promise<string[]>;
  head(compositionId: string): Promise<WorkflowHead>;
}

export class TemporalWorkflowHeads implements WorkflowHeadSource {
  /** closed workflows never change: their heads are read once */
  private readonly final = new Map<string, WorkflowHead>();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly queryTimeoutMs = 10_000,
  ) {}

  async recent(sinceMs: number): Promise<string[]> {
    const since = new Date(sinceMs).toISOString();
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${this.taskQueue}' AND (ExecutionStatus = 'Running' OR CloseTime >= '${since}')`;
    const ids = new Set<string>();
    for await (const wf of this.client.workflow.list({ query })) ids.add(wf.workflowId);
    return [...ids].sort();
  }

  async head(compositionId: string): Promise<WorkflowHead> {
    const cached = this.final.get(compositionId);
    if (cached) return cached;
    const handle = this.client.workflow.getHandle(compositionId);
    let status: WorkflowExecutionStatusName;
    let taskQueue: string;
    let reset: boolean;
    try {
      const description = await handle.describe();
      ({ status: { name: status }, taskQueue } = description);
      // a history reset by an operator or a tool (Temporal records when): the pipeline never resets one
      reset = Boolean(description.raw.workflowExtendedInfo?.lastResetTime);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { composition_id: compositionId, found: false };
      throw err;
    }
    if (taskQueue !== this.taskQueue) return { composition_id: compositionId, found: true, status, taskQueue };
    const query = () => this.client.withDeadline(Date.now() + this.queryTimeoutMs, () => handle.query(stateQuery));
    if (status === 'RUNNING') {
      const view = await query();
      return { composition_id: compositionId, found: true, status, sequence: view.sequence, last_hash: view.last_hash, ...(reset ? { reset } : {}) };
    }
    let view: CompositionView;
    try {
      view = status === 'COMPLETED' ? ((await handle.result()) as CompositionView) : await query();
    } catch (err) {
      const why = (err as Error).message || (err as Error).name;
      return { composition_id: compositionId, found: true, status, unverifiable: `workflow ${status.toLowerCase()}; its final view could not be read: ${why}`, ...(reset ? { reset } : {}) };
    }
    const head: WorkflowHead = { composition_id: compositionId, found: true, status, sequence: view.sequence, last_hash: view.last_hash, ...(reset ? { reset } : {}) };
    this.final.set(compositionId, head);
    return head;
  }
}
