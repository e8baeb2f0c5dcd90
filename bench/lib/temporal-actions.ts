/**
 * Temporal actions per workflow execution, counted from its history by the rules Temporal Cloud bills by
 * (https://docs.temporal.io/cloud/actions), each read off the history events that record it:
 *  - a workflow started (WorkflowExecutionStarted, also each continue-as-new run),
 *  - an update accepted (WorkflowExecutionUpdateAccepted) or a signal received (WorkflowExecutionSignaled),
 *  - an activity attempt (ActivityTaskScheduled, plus one per retry: ActivityTaskStarted.attempt − 1),
 *  - a timer started (TimerStarted),
 *  - a search attribute upsert (UpsertWorkflowSearchAttributes) or memo change (WorkflowPropertiesModified),
 *  - a child workflow or an external signal initiated,
 *  - the local activities of one workflow task, together: their markers (MarkerRecorded named
 *    `core_local_activity`) count once per workflow task that recorded them (`workflowTaskCompletedEventId`).
 * Other markers (`core_patch`, version markers) are not billed. Queries are billed but leave no history (the
 * benchmarks issue none). Also reported, not billed: `local_activity_markers`, and the history's events.
 */
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

export interface ActionCount {
  /** billable actions */
  actions: number;
  history_events: number;
  /** each billed kind's count, plus the informational `local_activity_markers` and `markers_unbilled` */
  by_kind: Record<string, number>;
}

/** The marker the SDK records for a local activity's result (core's `LOCAL_ACTIVITY_MARKER_NAME`). */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const BILLED: Record<string, string> = {
  workflowExecutionStartedEventAttributes: 'workflow_started',
  workflowExecutionUpdateAcceptedEventAttributes: 'update_accepted',
  workflowExecutionSignaledEventAttributes: 'signal',
  activityTaskScheduledEventAttributes: 'activity_scheduled',
  timerStartedEventAttributes: 'timer_started',
  upsertWorkflowSearchAttributesEventAttributes: 'search_attributes_upserted',
  workflowPropertiesModifiedEventAttributes: 'properties_modified',
  startChildWorkflowExecutionInitiatedEventAttributes: 'child_workflow',
  signalExternalWorkflowExecutionInitiatedEventAttributes: 'external_signal',
};

/** Kinds in `by_kind` that are reported for information and not billed. */
const INFO_KINDS = new Set(['local_activity_markers', 'markers_unbilled']);

export function countActions(histories: readonly History[]): ActionCount {
  const byKind: Record<string, number> = {};
  let events = 0;
  const add = (kind: string, n = 1) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  for (const history of histories) {
    const laTasks = new Set<string>(); // workflow tasks (by their completed event id) that recorded local activities
    for (const event of history.events ?? []) {
      events += 1;
      for (const [attr, kind] of Object.entries(BILLED)) if (event[attr as keyof typeof event]) add(kind);
      const retries = (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1;
      if (retries > 0) add('activity_retry', retries);
      const marker = event.markerRecordedEventAttributes;
      if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
        add('local_activity_markers');
        laTasks.add(String(marker.workflowTaskCompletedEventId ?? event.eventId));
      } else if (marker) {
        add('markers_unbilled');
      }
    }
    if (laTasks.size) add('local_activity_tasks', laTasks.size);
  }
  const actions = Object.entries(byKind).reduce((n, [kind, v]) => (INFO_KINDS.has(kind) ? n : n + v), 0);
  return { actions, history_events: events, by_kind: byKind };
}
