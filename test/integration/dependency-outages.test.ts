// Fail closed: while Kafka is down a transition waits for its audit event (nothing is acknowledged before
// the broker's ack) and completes once Kafka is back, nothing lost; while the PDP is down no transition is
// allowed at all (no decision = no transition, never a default ALLOW), and it resumes after; nor is a read
// of the audit ledger served.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { mintToken } from '../../infra/idp/client.js';
import { down, up } from '../../infra/stack/stack.js';
import { compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';
import { pendingActivities } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const fx = gatewayFixture('outages');
after(() => up()); // whatever a failed test left stopped

/** Sends step `index` with `component` down; proves it waits on `activity`; brings the component back. */
async function stepDuring(component: string, activity: string, id: string, index: number) {
  let settled = false;
  await down({ only: [component] });
  const reply = runStep(fx.http, vrsScreeningSteps()[index]!, fx.tokens, id).finally(() => (settled = true));
  try {
    const waiting = await waitFor(async () => (await pendingActivities(id)).find((a) => a.type === activity && a.attempt >= 2), {
      what: `${activity} to be retried while ${component} is down`,
      timeoutMs: 90_000,
    });
    assert.ok(waiting.attempt >= 2);
    assert.equal(settled, false, 'the request must still be waiting');
    return { reply, before: await view(fx.http, id) };
  } finally {
    await up({ only: [component] });
  }
}

test('Kafka stopped while a transition is in flight: it waits, then completes; nothing lost', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 2);
  const { reply, before } = await stepDuring('kafka', 'publishAuditEvent', id, 2);
  assert.equal(before.state, 'leased', 'no state change before the audit event is in Kafka');
  assert.equal((await reply).status, 200);
  assert.equal((await view(fx.http, id)).state, 'in_progress');
  const events = distinct(await topicEvents(id));
  assert.deepEqual(events.map((e) => e.schema_id), ['composition.requested.v1', 'coordination.lease_claimed.v1', 'coordination.lens_run_started.v1']);
  assert.equal(verify(await topicEvents(id)).ok, true);
});

test('the PDP stopped: no transition while it is down; it resumes after', async () => {
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const { reply, before } = await stepDuring('pdp', 'authorize', id, 1);
  assert.deepEqual([before.state, before.sequence], ['requested', 1]);
  const done = await reply;
  assert.equal(done.status, 200, JSON.stringify(done.body));
  const events = distinct(await topicEvents(id));
  assert.equal(events.at(-1)!.schema_id, 'coordination.lease_claimed.v1');
  assert.equal(events.at(-1)!.abac_decision?.outcome, 'ALLOW');
});

test('the PDP stopped: a read of the audit ledger is refused with 503, not served; served again after', async () => {
  const auditor = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_read'] });
  const read = () => fx.http.request<{ error?: { code: string }; events?: unknown[] }>('GET', '/audit/events?limit=1', { token: auditor });
  await down({ only: ['pdp'] });
  try {
    const refused = await read();
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error?.code, 'ERR_UNAVAILABLE');
    assert.equal(refused.body.events, undefined);
  } finally {
    await up({ only: ['pdp'] });
  }
  const served = await read();
  assert.equal(served.status, 200, JSON.stringify(served.body));
});
