/**
 * Where a transition's time goes as the Temporal server saw it, from the history's event timestamps. A
 * transition runs from the scheduling of the workflow task that accepts its update to the update's
 * completion; within it, workflow tasks wait in the queue (scheduled → started), run on the worker and come
 * back (started → completed), and activities run (scheduled → completed, including their dispatch). What the
 * span does not explain is the server's own time between tasks; what the caller's latency has beyond the
 * span is outside the history: the gateway, the client, update admission and delivering the result.
 */
import type { temporal } from '@temporalio/proto';
import { round } from './stats.js';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryTiming {
  transitions: number;
  /** means per transition, in milliseconds */
  span_ms: number;
  workflow_task_queue_ms: number;
  workflow_task_ms: number;
  activity_ms: number;
  between_tasks_ms: number;
}

const millis = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const idOf = (v: unknown) => Number(v ?? 0);

export function historyTiming(histories: readonly History[]): HistoryTiming {
  const sum = { transitions: 0, span: 0, queue: 0, task: 0, activity: 0 };
  for (const history of histories) {
    const at = new Map<number, number>(); // event id → time
    let last: { scheduled: number; queue: number; task: number } | undefined; // the last completed workflow task
    let openedAt: number | undefined;
    for (const e of history.events ?? []) {
      const t = millis(e);
      at.set(idOf(e.eventId), t);
      if (e.workflowTaskCompletedEventAttributes) {
        const started = idOf(e.workflowTaskCompletedEventAttributes.startedEventId);
        const scheduled = idOf(e.workflowTaskCompletedEventAttributes.scheduledEventId);
        const [s, st] = [at.get(scheduled) ?? t, at.get(started) ?? t];
        last = { scheduled: s, queue: st - s, task: t - st };
        if (openedAt !== undefined) {
          sum.queue += last.queue;
          sum.task += last.task;
        }
      } else if (e.workflowExecutionUpdateAcceptedEventAttributes && openedAt === undefined && last) {
        openedAt = last.scheduled; // the task that accepted the update opened the transition
        sum.queue += last.queue;
        sum.task += last.task;
      } else if (e.workflowExecutionUpdateCompletedEventAttributes && openedAt !== undefined) {
        sum.span += t - openedAt;
        sum.transitions += 1;
        openedAt = undefined;
      } else if (openedAt !== undefined) {
        const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
        if (done) sum.activity += t - (at.get(idOf(done.scheduledEventId)) ?? t);
      }
    }
  }
  const n = Math.max(1, sum.transitions);
  return {
    transitions: sum.transitions,
    span_ms: round(sum.span / n),
    workflow_task_queue_ms: round(sum.queue / n),
    workflow_task_ms: round(sum.task / n),
    activity_ms: round(sum.activity / n),
    between_tasks_ms: round(Math.max(0, sum.span - sum.queue - sum.task - sum.activity) / n),
  };
}
