/**
 * Recomputes a composition's audit stream from its Temporal history alone, with no server: the history
 * is replayed through the workflow code (the SDK's replayer) and every event the workflow builds is
 * captured through the audit sink. Because events are built deterministically inside the workflow, this
 * reproduces, byte for byte, what was published — or fails with a determinism error.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { AuditEvent } from '../../schemas/catalog.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

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
