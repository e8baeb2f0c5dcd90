// `coord stack` behaviour a user relies on: idempotent up, per-component restart, clear failures, honest status.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, test } from 'node:test';
import { LOCAL_PORTS } from '../../config/endpoints.js';
import { kill } from '../../infra/stack/process.js';
import { ComponentError, down, status, up } from '../../infra/stack/stack.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

before(stackReady);

test('up on a healthy stack changes nothing: every component reports "running"', async () => {
  const { outcomes } = await up();
  assert.ok(Object.values(outcomes).every((o) => o === 'running' || o === 'external'), JSON.stringify(outcomes));
});

test('status lists every component with address, pid and health', async () => {
  const all = await status();
  assert.deepEqual(all.map((c) => c.name), ['temporal', 'kafka', 'schema-registry', 'pdp', 'idp-firm', 'idp-partner', 'idp-internal', 'rabbitmq']);
  for (const c of all) {
    assert.equal(c.healthy, true, `${c.name} healthy`);
    assert.ok(c.external || (typeof c.pid === 'number' && c.pid > 0), `${c.name} has a pid`);
    assert.ok(c.address.includes('127.0.0.1'), c.address);
  }
});

test('a killed component is restarted by up, and only that one', async () => {
  const [beforeKill] = await status({ only: ['idp-partner'] });
  assert.ok(await kill('idp-partner'));
  await waitFor(async () => !(await status({ only: ['idp-partner'] }))[0]!.healthy, { what: 'idp-partner to go down' });
  const { outcomes } = await up();
  assert.equal(outcomes['idp-partner'], 'started');
  for (const [name, outcome] of Object.entries(outcomes)) if (name !== 'idp-partner') assert.equal(outcome, 'running', name);
  const [afterUp] = await status({ only: ['idp-partner'] });
  assert.equal(afterUp!.healthy, true);
  assert.notEqual(afterUp!.pid, beforeKill!.pid);
});

test('a port taken by a foreign process fails up with the component and port named; nothing else is touched', async () => {
  await down({ only: ['idp-internal'] });
  const squatter = createServer().listen(LOCAL_PORTS.idp.internal, '127.0.0.1');
  await new Promise((r) => squatter.once('listening', r));
  try {
    await assert.rejects(up({ only: ['idp-internal'] }), (err: unknown) => {
      assert.ok(err instanceof ComponentError);
      assert.equal(err.component, 'idp-internal');
      assert.match(err.message, new RegExp(`port ${LOCAL_PORTS.idp.internal} is in use`));
      return true;
    });
  } finally {
    await new Promise((r) => squatter.close(r));
  }
  const { outcomes } = await up();
  assert.equal(outcomes['idp-internal'], 'started');
});
