// Proves the pinned time-skipping test server works: a day-long timer completes without waiting a day.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import '../helpers/quiet-temporal.js';
import { Worker } from '@temporalio/worker';
import { installTemporalTestServer, temporalTestServerPath } from '../../infra/stack/components/temporal.js';
import type { sleepForADay } from './fixtures/timer-workflows.js';

let env: TestWorkflowEnvironment;

before(async () => {
  await installTemporalTestServer();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
});
after(async () => env?.teardown());

test('a 24 h timer fires under the time-skipping server', async () => {
  const taskQueue = `ts-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/timer-workflows.ts', import.meta.url)),
  });
  const slept = await worker.runUntil(env.client.workflow.execute<typeof sleepForADay>('sleepForADay', { taskQueue, workflowId: randomUUID() }));
  assert.ok(slept >= 86_400_000 && slept < 2 * 86_400_000, `workflow clock advanced one day (${slept} ms)`);
});
