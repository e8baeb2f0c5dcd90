// The worker is killed with SIGKILL in the middle of a composition: a restarted worker completes it, and
// the chain in Kafka is complete and valid (identical duplicates allowed, no gap).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { vrsAssertions } from '../../audit/invariants.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { idpEndpoint } from '../../config/endpoints.js';
import { compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

const fx = gatewayFixture('crash');

test('SIGKILL mid-composition: a new worker finishes it; Kafka holds the whole valid chain', async () => {
  const steps = vrsScreeningSteps();
  const id = await compositionAtStep(fx.http, fx.tokens, 4);
  // Step 5 is sent and the worker dies under it: the transition is in flight, or not yet picked up.
  const inFlight = runStep(fx.http, steps[4]!, fx.tokens, id);
  await fx.services.killWorker('SIGKILL');
  await fx.services.startWorker();
  const fifth = await inFlight;
  assert.equal(fifth.status, 200, JSON.stringify(fifth.body));
  for (const step of steps.slice(5)) {
    const { status, body } = await runStep(fx.http, step, fx.tokens, id);
    assert.equal(status < 300, true, `${step.schemaId}: ${status} ${JSON.stringify(body)}`);
  }
  assert.equal((await view(fx.http, id)).state, 'closed');

  const raw = await topicEvents(id);
  const events = distinct(raw);
  assert.equal(events.length, 9, `${raw.length} messages, ${events.length} distinct events`);
  const chain = verify(raw); // duplicates included: identical ones are ignored by the verifier
  assert.equal(chain.ok, true, JSON.stringify(chain.first_break));
  for (const a of vrsAssertions(events, { firmIssuer: idpEndpoint('firm').address, partnerIssuer: idpEndpoint('partner').address })) assert.ok(a.ok, a.name);
});
