/**
 * Recomputes a composition's audit stream from its Temporal history alone, with no server: the history
 * is replayed through the workflow code (the SDK's replayer) and every event the workflow builds is
 * captured through the audit sink. Because events are built deterministically inside the workflow, this
 * reproduces, byte for byte, what was published — or fails with a determinism error.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker, type ReplayResult, type WorkflowBundleOption } from '@temporalio/worker';
import type { AuditEvent } from '../../schemas/catalog.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

type History = temporal.api.history.v1.IHistory;

/** Replays each run's history in order; returns the events built, in order, across runs. */
export async function recomputeAuditStream(histories: readonly unknown[], workflowId: string, dataConverter?: DataConverter): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  // Events come out of the workflow sandbox (another realm): copy them into plain objects of this one.
  const sinks = { audit: { built: { fn: (_info: unknown, event: AuditEvent) => void events.push(JSON.parse(JSON.stringify(event)) as AuditEvent), callDuringReplay: true } } };
  for (const history of histories) {
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, sinks, ...(dataConverter ? { dataConverter } : {}) }, history, workflowId);
  }
  return events;
}

/** A queue the replay worker pulls histories from, as they are pushed. */
class HistoryQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length) yield this.items.shift()!;
      else if (this.closed) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export interface RunReplay {
  /** the events the workflow built while replaying this run, in order */
  events: AuditEvent[];
  /** a DeterminismViolationError or ReplayError when the history does not replay */
  error?: Error;
}

export interface AuditReplayerOptions {
  /** a prebuilt workflow bundle (built once, reused); default: bundle workflows/index.ts */
  workflowBundle?: WorkflowBundleOption;
  dataConverter?: DataConverter;
}

/**
 * One replay worker for many histories (the edge worker's full mode): the workflow code is loaded once and
 * each run is replayed in turn, its audit events returned with it. If the worker itself fails, `replay`
 * throws and the replayer is spent: create another.
 */
export class AuditReplayer {
  private readonly queue = new HistoryQueue<{ history: History; workflowId: string }>();
  private readonly built = new Map<string, AuditEvent[]>();
  private readonly results: AsyncIterator<ReplayResult>;

  constructor(opts: AuditReplayerOptions = {}) {
    const sinks = {
      audit: {
        built: {
          fn: (info: { runId: string }, event: AuditEvent) => {
            const events = this.built.get(info.runId) ?? [];
            events.push(JSON.parse(JSON.stringify(event)) as AuditEvent);
            this.built.set(info.runId, events);
          },
          callDuringReplay: true,
        },
      },
    };
    const code = opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
    this.results = Worker.runReplayHistories({ ...code, sinks, ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}) }, this.queue);
  }

  async replay(history: History, workflowId: string): Promise<RunReplay> {
    this.queue.push({ history, workflowId });
    const next = await this.results.next();
    if (next.done) throw new Error('the replay worker stopped');
    const events = this.built.get(next.value.runId) ?? [];
    this.built.delete(next.value.runId);
    return { events, ...(next.value.error ? { error: next.value.error } : {}) };
  }

  async close(): Promise<void> {
    this.queue.close();
    await this.results.return?.();
  }
}
