/**
 * Temporal actions per workflow execution, counted from its history. An *action* here is what Temporal
 * Cloud bills as one (https://docs.temporal.io/cloud/actions), read off the history events that record it:
 *  - a workflow started (WorkflowExecutionStarted, also each continue-as-new run),
 *  - an update accepted (WorkflowExecutionUpdateAccepted) or a signal received (WorkflowExecutionSignaled),
 *  - an activity attempt (ActivityTaskScheduled, plus one per retry: ActivityTaskStarted.attempt − 1),
 *  - a timer started (TimerStarted),
 *  - a search attribute upsert (UpsertWorkflowSearchAttributes) or memo change (WorkflowPropertiesModified),
 *  - a marker (MarkerRecorded: local activities, side effects), a child workflow or external signal initiated.
 * Queries are billed but leave no history (the benchmarks issue none). Also reported: history events.
 */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

export interface ActionCount {
  actions: number;
  history_events: number;
  by_kind: Record<string, number>;
}

const KINDS: Record<string, string> = {
  workflowExecutionStartedEventAttributes: 'workflow_started',
  workflowExecutionUpdateAcceptedEventAttributes: 'update_accepted',
  workflowExecutionSignaledEventAttributes: 'signal',
  activityTaskScheduledEventAttributes: 'activity_scheduled',
  timerStartedEventAttributes: 'timer_started',
  upsertWorkflowSearchAttributesEventAttributes: 'search_attributes_upserted',
  workflowPropertiesModifiedEventAttributes: 'properties_modified',
  markerRecordedEventAttributes: 'marker',
  startChildWorkflowExecutionInitiatedEventAttributes: 'child_workflow',
  signalExternalWorkflowExecutionInitiatedEventAttributes: 'external_signal',
};

export function countActions(histories: readonly History[]): ActionCount {
  const byKind: Record<string, number> = {};
  let events = 0;
  const add = (kind: string, n = 1) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  for (const history of histories) {
    for (const event of history.events ?? []) {
      events += 1;
      for (const [attr, kind] of Object.entries(KINDS)) if (event[attr as keyof typeof event]) add(kind);
      const retries = (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1;
      if (retries > 0) add('activity_retry', retries);
    }
  }
  return { actions: Object.values(byKind).reduce((n, v) => n + v, 0), history_events: events, by_kind: byKind };
}
