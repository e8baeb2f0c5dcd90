// The fast path and the slow path (workflows/effects.ts) under the time-skipping server, with the fake
// activities: a transition runs its side effects as local activities in one workflow task; a refusal an
// activity decides is final on the fast path; a dependency down past the local retry budget moves the step
// to a regular activity, pending and visible, with `WaitingFor` naming the dependency until it completes.
// test/integration/dependency-outages.test.ts covers the slow path against the real PDP and Kafka.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import '../helpers/quiet-temporal.js';
import type { CompositionActivities } from '../../activities/index.js';
import { installTemporalTestServer, registerSearchAttributes, temporalTestServerPath } from '../../infra/stack/components/temporal.js';
import { WAITING_FOR } from '../../schemas/search-attributes.js';
import type { compositionWorkflow } from '../../workflows/composition.js';
import { actionUpdates, WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { ActionName, ActionOutcome } from '../../workflows/types.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_BLOCK, fakeActivities } from './helpers/fake-activities.js';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const NO_AUDIT_SINK = { audit: { built: { fn: () => undefined } } };
let env: TestWorkflowEnvironment;

before(async () => {
  await installTemporalTestServer();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  await registerSearchAttributes(env.connection);
});
after(async () => env?.teardown());

type Event = temporal.api.history.v1.IHistoryEvent;

async function withWorker<T>(activities: CompositionActivities, body: (start: () => Promise<WorkflowHandle>) => Promise<T>): Promise<T> {
  const taskQueue = `fast-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities, sinks: NO_AUDIT_SINK });
  const start = async () => {
    const compositionId = `cmp_fast${randomUUID().replaceAll('-', '')}`;
    return env.client.workflow.start<typeof compositionWorkflow>(WORKFLOW_TYPE, { workflowId: compositionId, taskQueue, args: [{ compositionId, compositionType: 'test' }] });
  };
  return worker.runUntil(async () => {
    const handles: WorkflowHandle[] = [];
    try {
      return await body(async () => {
        const h = await start();
        handles.push(h);
        return h;
      });
    } finally {
      for (const h of handles) await h.terminate('test finished').catch(() => undefined);
    }
  });
}

const act = (handle: WorkflowHandle, action: ActionName, token: string, payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  handle.executeUpdate(actionUpdates[action], { args: [{ token, payload, ...extra }] }) as Promise<ActionOutcome>;
const request = (handle: WorkflowHandle) => act(handle, 'request', 'human', { lens_id: 'lens', lens_version: '1.0.0' });
const claim = (handle: WorkflowHandle, who = 'agent') => act(handle, 'claim', who, { lease_window_seconds: 1800 }, { agent: AGENT_BLOCK });

const events = async (handle: WorkflowHandle): Promise<Event[]> => (await handle.fetchHistory()).events ?? [];
const scheduled = (history: Event[]) => history.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name);
const localActivityMarkers = (history: Event[]) => history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
const waitingForUpserts = (history: Event[]) =>
  history.filter((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes(WAITING_FOR.name)).length;

test('fast path: each transition is one update and one workflow task; token, PDP and publish are local activities, no activity task', async () => {
  await withWorker(fakeActivities().activities, async (start) => {
    const handle = await start();
    assert.equal((await request(handle)).ok, true);
    assert.equal((await claim(handle)).ok, true);
    const history = await events(handle);
    assert.deepEqual(scheduled(history), [], 'no regular activity on the fast path');
    assert.equal(localActivityMarkers(history), 6, 'verify + authorize + publish, for each of the two transitions');
    const updates = history.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    const tasks = history.filter((e) => e.workflowTaskCompletedEventAttributes).length;
    assert.equal(updates, 2);
    // the start's task and one per update; never one per side effect
    assert.ok(tasks <= updates + 1, `${tasks} workflow tasks for ${updates} updates`);
  });
});

test('fast path: a refusal the verifier decides is final — recorded, no retry, no slow path', async () => {
  let verifications = 0;
  const { activities } = fakeActivities();
  const counting: CompositionActivities = { ...activities, verifyToken: async (token) => (verifications++, activities.verifyToken(token)) };
  await withWorker(counting, async (start) => {
    const handle = await start();
    await request(handle);
    const before = verifications;
    const outcome = await claim(handle, 'forged');
    assert.deepEqual(outcome.ok ? undefined : outcome.code, 'ERR_JWT_SIGNATURE');
    assert.equal(verifications - before, 1, 'a definitive refusal is not retried');
    const history = await events(handle);
    assert.deepEqual(scheduled(history), []);
    assert.equal(waitingForUpserts(history), 0);
  });
});

test('slow path: the PDP down past the local budget — the step becomes a pending regular activity, WaitingFor=pdp, cleared once it answers', async () => {
  const { activities } = fakeActivities();
  const pdp = { down: false };
  const flaky: CompositionActivities = {
    ...activities,
    async authorize(request) {
      if (pdp.down) throw new Error('PDP unreachable (fake outage)');
      return activities.authorize(request);
    },
  };
  await withWorker(flaky, async (start) => {
    const handle = await start();
    await request(handle);
    pdp.down = true;
    const claimed = claim(handle);
    const waiting = await waitFor(
      async () => {
        const d = await handle.describe();
        const pending = (d.raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'authorize' && (a.attempt ?? 0) >= 2);
        const tagged = d.typedSearchAttributes.get(WAITING_FOR);
        return pending && tagged ? { attempt: pending.attempt, tagged, failure: pending.lastFailure?.message } : undefined;
      },
      { what: 'authorize to be pending as a regular activity with WaitingFor set' },
    );
    assert.equal(waiting.tagged, 'pdp');
    assert.match(waiting.failure ?? '', /PDP unreachable/, 'the last failure is visible to ops');
    pdp.down = false;
    const outcome = await claimed;
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    const d = await handle.describe();
    assert.equal(d.typedSearchAttributes.get(WAITING_FOR), undefined, 'cleared once the step completed');
    assert.deepEqual(scheduled(await events(handle)), ['authorize']);
  });
});
