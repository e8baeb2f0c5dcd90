// The composition workflow under the time-skipping server: leases are timers (a 1800 s lease expires in
// milliseconds), renewal extends them, concurrent claims serialize, the chain survives continue-as-new, and
// every recorded history replays deterministically.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import '../helpers/quiet-temporal.js';
import { verify } from '../../audit/verify.js';
import { installTemporalTestServer, registerSearchAttributes, temporalTestServerPath } from '../../infra/stack/components/temporal.js';
import { replayState } from '../../schemas/replay-state.js';
import type { compositionWorkflow } from '../../workflows/composition.js';
import { actionUpdates, lastHashQuery, leaseQuery, sequenceQuery, stateQuery, WORKFLOW_TYPE } from '../../workflows/definitions.js';
import type { ActionName, ActionOutcome } from '../../workflows/types.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_BLOCK, fakeActivities } from './helpers/fake-activities.js';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const NO_AUDIT_SINK = { audit: { built: { fn: () => undefined } } };
let env: TestWorkflowEnvironment;
const histories: { id: string; handle: WorkflowHandle }[] = [];

before(async () => {
  await installTemporalTestServer();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  await registerSearchAttributes(env.connection);
});
after(async () => env?.teardown());

/** Runs `body` against a fresh worker; afterwards the test's histories are replayed. */
async function withWorker<T>(body: (ctx: { start: (opts?: { historyLimit?: number }) => Promise<WorkflowHandle>; published: ReturnType<typeof fakeActivities>['published'] }) => Promise<T>): Promise<T> {
  const taskQueue = `wf-${randomUUID()}`;
  const { activities, published } = fakeActivities();
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities, sinks: NO_AUDIT_SINK });
  const start = async (opts: { historyLimit?: number } = {}) => {
    const compositionId = `cmp_test${randomUUID().replaceAll('-', '')}`;
    const handle = await env.client.workflow.start<typeof compositionWorkflow>(WORKFLOW_TYPE, {
      workflowId: compositionId,
      taskQueue,
      args: [{ compositionId, compositionType: 'test', ...opts }],
    });
    histories.push({ id: compositionId, handle });
    return handle;
  };
  return worker.runUntil(body({ start, published }));
}

const act = (handle: WorkflowHandle, action: ActionName, token: string, payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  handle.executeUpdate(actionUpdates[action], { args: [{ token, payload, ...extra }] }) as Promise<ActionOutcome>;

const request = (handle: WorkflowHandle) => act(handle, 'request', 'human', { lens_id: 'lens', lens_version: '1.0.0' });
const claim = (handle: WorkflowHandle, who = 'agent', window = 1800) => act(handle, 'claim', who, { lease_window_seconds: window }, { agent: AGENT_BLOCK });

afterEach(async () => {
  for (const { id, handle } of histories.splice(0)) {
    // Determinism: every history recorded by this test (first run and latest run) replays through the workflow code.
    await Worker.runReplayHistory({ workflowsPath, sinks: NO_AUDIT_SINK }, await handle.fetchHistory(), id);
    await Worker.runReplayHistory({ workflowsPath, sinks: NO_AUDIT_SINK }, await env.client.workflow.getHandle(id).fetchHistory(), id);
    // A composition left waiting on a lease timer would hold the test server's clock for the next test.
    await handle.terminate('test finished').catch(() => undefined);
  }
});

test('a 1800 s lease expires on the workflow clock: lease_expired is recorded and the composition is claimable again', async () => {
  await withWorker(async ({ start, published }) => {
    const handle = await start();
    assert.equal((await request(handle)).ok, true);
    const claimed = await claim(handle);
    assert.equal(claimed.ok && claimed.state, 'leased');
    assert.equal((await handle.query(leaseQuery))?.holder, 'agent_a');
    assert.equal(await handle.query(sequenceQuery), 2);
    assert.equal(await handle.query(lastHashQuery), published.at(-1)!.this_hash);

    await env.sleep('1801s');
    const view = await waitFor(async () => {
      const v = await handle.query(stateQuery);
      return v.state === 'requested' ? v : undefined;
    }, { what: 'the lease to expire' });
    assert.equal(view.lease, null);
    const expired = published.at(-1)!;
    assert.equal(expired.schema_id, 'coordination.lease_expired.v1');
    assert.equal(expired.actor.id, 'coordination-ledger');
    assert.equal((expired.payload as { lease_holder: string }).lease_holder, 'agent_a');

    const again = await claim(handle, 'agent2');
    assert.equal(again.ok && again.lease?.holder, 'agent_b');
    assert.equal(verify(published).ok, true);
    assert.equal(replayState(published).state, 'leased');
  });
});

test('a renewal before expiry extends the lease from the renewal time', async () => {
  await withWorker(async ({ start, published }) => {
    const handle = await start();
    await request(handle);
    await claim(handle);
    await env.sleep('1700s');
    const renewed = await act(handle, 'renew', 'agent', { lease_window_seconds: 1800 }, { agent: AGENT_BLOCK });
    assert.equal(renewed.ok, true);
    await env.sleep('200s'); // 1900 s after the claim: the original window has passed
    assert.equal((await handle.query(stateQuery)).state, 'leased');
    assert.ok(!published.some((e) => e.schema_id === 'coordination.lease_expired.v1'));
    await env.sleep('1700s'); // past renewal + 1800 s
    await waitFor(async () => (await handle.query(stateQuery)).state === 'requested', { what: 'the renewed lease to expire' });
    assert.equal(published.at(-1)!.schema_id, 'coordination.lease_expired.v1');
  });
});

test('two concurrent claims: exactly one wins, the other is refused (ERR_LEASE_HELD) and recorded', async () => {
  await withWorker(async ({ start, published }) => {
    const handle = await start();
    await request(handle);
    const outcomes = await Promise.all([claim(handle, 'agent'), claim(handle, 'agent2')]);
    assert.equal(outcomes.filter((o) => o.ok).length, 1);
    const refused = outcomes.find((o) => !o.ok);
    assert.equal(refused && !refused.ok && refused.code, 'ERR_LEASE_HELD');
    assert.deepEqual(published.map((e) => e.schema_id), ['composition.requested.v1', 'coordination.lease_claimed.v1', 'coordination.access_denied.v1']);
  });
});

test('a bad token changes nothing and is recorded with the ledger as actor', async () => {
  await withWorker(async ({ start, published }) => {
    const handle = await start();
    await request(handle);
    const outcome = await claim(handle, 'forged');
    assert.deepEqual(outcome.ok ? undefined : [outcome.code, outcome.state], ['ERR_JWT_SIGNATURE', 'requested']);
    const denied = published.at(-1)!;
    assert.equal(denied.schema_id, 'coordination.access_denied.v1');
    assert.equal(denied.auth, null);
    assert.equal(denied.actor.id, 'coordination-ledger');
  });
});

test('continue-as-new keeps the chain unbroken and the lease running across runs', async () => {
  await withWorker(async ({ start, published }) => {
    const handle = await start({ historyLimit: 60 });
    await request(handle);
    await claim(handle);
    for (let i = 0; i < 12; i++) {
      const renewed = await act(handle, 'renew', 'agent', { lease_window_seconds: 1800 }, { agent: AGENT_BLOCK });
      assert.equal(renewed.ok, true, JSON.stringify(renewed));
    }
    const view = await waitFor(async () => {
      const v = await handle.query(stateQuery);
      return v.runs > 1 ? v : undefined;
    }, { what: 'a continue-as-new' });
    assert.equal(view.sequence, published.length);
    assert.equal(view.last_hash, published.at(-1)!.this_hash);
    await env.sleep('1801s');
    await waitFor(async () => (await handle.query(stateQuery)).state === 'requested', { what: 'the lease to expire in the new run' });
    const result = verify(published);
    assert.equal(result.ok, true, JSON.stringify(result.first_break));
    assert.equal(replayState(published).valid, true);
  });
});
