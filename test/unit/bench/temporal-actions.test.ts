// bench/lib/temporal-actions.ts bills by Temporal Cloud's rules: all local activities of one workflow task
// count as one action (grouped by the task that recorded their markers), a patch marker is not billed, and
// every other billed event counts once; history events and local-activity markers are reported as well.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { countActions, LOCAL_ACTIVITY_MARKER } from '../../../bench/lib/temporal-actions.js';

/** An event's attributes, with plain numbers where the decoded proto has Longs (countActions reads both). */
type EventAttributes = Record<string, Record<string, unknown>>;

/** A history from event attributes, numbered from 1 as the server does. */
function history(...events: EventAttributes[]): temporal.api.history.v1.IHistory {
  return { events: events.map((e, i) => ({ ...e, eventId: i + 1 })) } as unknown as temporal.api.history.v1.IHistory;
}

const workflowTask = (scheduledEventId: number): EventAttributes[] => [
  { workflowTaskScheduledEventAttributes: {} },
  { workflowTaskStartedEventAttributes: { scheduledEventId } },
  { workflowTaskCompletedEventAttributes: { scheduledEventId, startedEventId: scheduledEventId + 1 } },
];
const localActivity = (workflowTaskCompletedEventId: number) => ({ markerRecordedEventAttributes: { markerName: LOCAL_ACTIVITY_MARKER, workflowTaskCompletedEventId } });

// Two transitions on the fast path: each an update whose workflow task recorded three local activities
// (verify, authorize, publish) and upserted the search attributes; the first task also records a patch marker.
const twoFastTransitions = history(
  { workflowExecutionStartedEventAttributes: {} }, // 1
  ...workflowTask(2), // 2, 3, 4
  { markerRecordedEventAttributes: { markerName: 'core_patch', workflowTaskCompletedEventId: 4 } }, // 5
  { workflowExecutionUpdateAcceptedEventAttributes: {} }, // 6
  localActivity(4), // 7
  localActivity(4), // 8
  localActivity(4), // 9
  { upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: 4 } }, // 10
  { workflowExecutionUpdateCompletedEventAttributes: {} }, // 11
  ...workflowTask(12), // 12, 13, 14
  { workflowExecutionUpdateAcceptedEventAttributes: {} }, // 15
  localActivity(14), // 16
  localActivity(14), // 17
  localActivity(14), // 18
  { upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: 14 } }, // 19
  { workflowExecutionUpdateCompletedEventAttributes: {} }, // 20
);

test('six local-activity markers recorded by two workflow tasks are two actions; the patch marker is none', () => {
  const count = countActions([twoFastTransitions]);
  assert.deepEqual(count.by_kind, {
    workflow_started: 1,
    markers_unbilled: 1,
    update_accepted: 2,
    local_activity_markers: 6,
    search_attributes_upserted: 2,
    local_activity_tasks: 2,
  });
  assert.equal(count.actions, 1 + 2 + 2 + 2); // started, updates, upserts, local-activity tasks
  assert.equal(count.history_events, 20);
});

test('local activities are grouped per history: the same task id in two executions is two actions', () => {
  const count = countActions([twoFastTransitions, twoFastTransitions]);
  assert.equal(count.by_kind.local_activity_tasks, 4);
  assert.equal(count.actions, 14);
  assert.equal(count.history_events, 40);
});

test('regular activities bill each attempt; timers, signals and continue-as-new runs count once each', () => {
  const first = history(
    { workflowExecutionStartedEventAttributes: {} },
    { workflowExecutionSignaledEventAttributes: {} },
    { activityTaskScheduledEventAttributes: {} },
    { activityTaskStartedEventAttributes: { attempt: 3 } }, // two retries before this attempt
    { activityTaskCompletedEventAttributes: {} },
    { timerStartedEventAttributes: {} },
    { workflowPropertiesModifiedEventAttributes: {} },
    { workflowExecutionContinuedAsNewEventAttributes: {} },
  );
  const next = history({ workflowExecutionStartedEventAttributes: {} });
  const count = countActions([first, next]);
  assert.deepEqual(count.by_kind, {
    workflow_started: 2,
    signal: 1,
    activity_scheduled: 1,
    activity_retry: 2,
    timer_started: 1,
    properties_modified: 1,
  });
  assert.equal(count.actions, 8);
  assert.equal(count.history_events, 9);
});
