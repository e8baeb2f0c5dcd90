// Proves the local Temporal dev server is real: a workflow runs on it and is found by a custom search attribute.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporalEndpoint, temporalNamespace } from '../../config/endpoints.js';
import '../helpers/quiet-temporal.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';
import type { smokeWorkflow } from './fixtures/smoke-workflows.js';

let connection: Connection;
let client: Client;

before(async () => {
  await stackReady();
  connection = await Connection.connect({ address: temporalEndpoint().address });
  client = new Client({ connection, namespace: temporalNamespace() });
});
after(async () => connection?.close());

test('a workflow runs on the dev server and is found by a custom search attribute query', async () => {
  const taskQueue = `smoke-${randomUUID()}`;
  const tag = `smoke-${randomUUID()}`;
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: temporalEndpoint().address }),
    namespace: temporalNamespace(),
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./fixtures/smoke-workflows.ts', import.meta.url)),
  });
  const result = await worker.runUntil(
    client.workflow.execute<typeof smokeWorkflow>('smokeWorkflow', { taskQueue, workflowId: tag, args: [tag] }),
  );
  assert.equal(result, `hello ${tag}`);

  // Visibility is indexed asynchronously: wait until the query sees it.
  const found = await waitFor(
    async () => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `CompositionState = "${tag}" AND CompositionType = "smoke"` })) ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    },
    { what: 'the workflow in visibility' },
  );
  assert.deepEqual(found, [tag]);
});
