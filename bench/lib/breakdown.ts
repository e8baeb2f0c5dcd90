/**
 * Where a transition's time goes, from the worker's Prometheus metrics scraped before and after a phase:
 * our own per-phase histogram (lib/phase-timing.ts: JWT verify, PDP call, encode, produce) and the Temporal
 * SDK's task latencies (activity and workflow tasks: waiting to start, executing). What is left of the
 * transition's mean latency is the rest of the round trip: gateway, client and server RPCs, persistence.
 * Means per call and totals per transition; calls in one transition run one after the other, so the
 * per-transition figures add up (roughly: concurrent transitions overlap in the queues).
 */
import { PHASES, PHASE_HISTOGRAM } from '../../lib/phase-timing.js';
import type { HistoryTiming } from './history-timing.js';
import { histogramDelta, type Scrape } from './prometheus.js';
import { round } from './stats.js';

// The Temporal SDK's (core's) histograms, in milliseconds.
const SDK = {
  activity_schedule_to_start: 'temporal_activity_schedule_to_start_latency',
  activity_execution: 'temporal_activity_execution_latency',
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
  const execution = add('activity_execution', SDK.activity_execution, q);
  // Time inside activity tasks that is not one of our phases: payload codec, SDK bookkeeping, retries.
  if (execution) perTransition.activity_other = round(Math.max(0, execution - phasesTotal), 3);
  const rest: Record<string, number> = {
    activity_schedule_to_start: add('activity_schedule_to_start', SDK.activity_schedule_to_start, q),
    workflow_task_schedule_to_start: add('workflow_task_schedule_to_start', SDK.workflow_task_schedule_to_start, q),
    workflow_task_execution: add('workflow_task_execution', SDK.workflow_task_execution, q),
  };
  for (const [k, v] of Object.entries(rest)) if (v) perTransition[k] = round(v, 3);
  const accounted = Object.values(perTransition).reduce((n, v) => n + v, 0);
  perTransition.other = round(Math.max(0, transitionMeanMs - accounted), 3);
  return { transition_mean_ms: round(transitionMeanMs, 3), per_transition_ms: perTransition, per_call: perCall };
}
