/**
 * Where a transition's time goes, from the worker's Prometheus metrics scraped before and after a phase:
 * our own per-phase histogram (lib/phase-timing.ts: JWT verify, PDP call, encode, produce) and the Temporal
 * SDK's task latencies (activity and workflow tasks: waiting to start, executing). What is left of the
 * transition's mean latency is the rest of the round trip: gateway, client and server RPCs, persistence.
 * Means per call and totals per transition; calls in one transition run one after the other, so the
 * per-transition figures add up (roughly: concurrent transitions overlap in the queues).
 * Local activities (the fast path) run inside their workflow task: the task's execution then contains them,
 * and it is reported as its own part (`workflow_task_own`: the workflow code and the activations between
 * the local activities) next to the local activities' (our phases, `activity_other`, `local_activity_queue`)
 * so that the parts still add up to the transition.
 */
import { PHASES, PHASE_HISTOGRAM } from '../../lib/phase-timing.js';
import type { HistoryTiming } from './history-timing.js';
import { histogramDelta, type Scrape } from './prometheus.js';
import { round } from './stats.js';

// The Temporal SDK's (core's) histograms, in milliseconds.
const SDK = {
  activity_schedule_to_start: 'temporal_activity_schedule_to_start_latency',
  activity_execution: 'temporal_activity_execution_latency',
  local_activity_execution: 'temporal_local_activity_execution_latency',
  local_activity_end_to_end: 'temporal_local_activity_succeed_endtoend_latency',
  workflow_task_schedule_to_start: 'temporal_workflow_task_schedule_to_start_latency',
  workflow_task_execution: 'temporal_workflow_task_execution_latency',
} as const;

export interface CallStats {
  calls_per_transition: number;
  mean_ms: number;
}

export interface Breakdown {
  transition_mean_ms: number;
  /** mean milliseconds each part takes per transition; `other` = transition mean − the rest */
  per_transition_ms: Record<string, number>;
  per_call: Record<string, CallStats>;
  /** the same transitions as the server's history saw them; outside_history_ms = caller latency − span */
  history?: HistoryTiming & { outside_history_ms: number };
}

export function breakdown(before: Scrape, after: Scrape, transitions: number, transitionMeanMs: number, taskQueue: string): Breakdown {
  const perCall: Record<string, CallStats> = {};
  const perTransition: Record<string, number> = {};
  const add = (name: string, metric: string, labels: Record<string, string>) => {
    const d = histogramDelta(before, after, metric, labels);
    if (d.count === 0) return 0;
    perCall[name] = { calls_per_transition: round(d.count / transitions, 2), mean_ms: round(d.mean, 3) };
    return d.sum / transitions;
  };
  let phasesTotal = 0;
  for (const phase of PHASES) {
    const ms = add(phase, PHASE_HISTOGRAM, { phase });
    if (ms) perTransition[phase] = round(ms, 3);
    phasesTotal += ms;
  }
  const q = { task_queue: taskQueue };
  const regular = add('activity_execution', SDK.activity_execution, q);
  const local = add('local_activity_execution', SDK.local_activity_execution, q);
  // Time inside activities (regular or local) that is not one of our phases: payload codec, SDK bookkeeping.
  if (regular + local) perTransition.activity_other = round(Math.max(0, regular + local - phasesTotal), 3);
  // A local activity from its scheduling to its success: waiting for a slot, retries and their backoff.
  const localEndToEnd = Math.max(local, add('local_activity_end_to_end', SDK.local_activity_end_to_end, q));
  if (localEndToEnd > local) perTransition.local_activity_queue = round(localEndToEnd - local, 3);
  const schedule = add('activity_schedule_to_start', SDK.activity_schedule_to_start, q);
  if (schedule) perTransition.activity_schedule_to_start = round(schedule, 3);
  const wftQueue = add('workflow_task_schedule_to_start', SDK.workflow_task_schedule_to_start, q);
  if (wftQueue) perTransition.workflow_task_schedule_to_start = round(wftQueue, 3);
  const wftExecution = add('workflow_task_execution', SDK.workflow_task_execution, q);
  if (localEndToEnd) perTransition.workflow_task_own = round(Math.max(0, wftExecution - localEndToEnd), 3);
  else if (wftExecution) perTransition.workflow_task_execution = round(wftExecution, 3);
  const accounted = Object.values(perTransition).reduce((n, v) => n + v, 0);
  perTransition.other = round(Math.max(0, transitionMeanMs - accounted), 3);
  return { transition_mean_ms: round(transitionMeanMs, 3), per_transition_ms: perTransition, per_call: perCall };
}
