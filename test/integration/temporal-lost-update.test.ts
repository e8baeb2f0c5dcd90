// A workflow task the history never shows: an update's workflow task is speculative (the Temporal server
// holds it in memory until the worker completes it). Here the worker is held right after the broker's ack
// of a transition's audit event (COORD_WORKER_FAILPOINT=after-publish-ack:1:pause) while the Temporal server
// is SIGKILLed and restarted; the worker's completion then finds no such task, the caller sends the update
// again, and the next attempt — with a new clock and a new PDP decision — runs on a history whose newest
// workflow task is a completed one. Only the host's publish journal (activities/publish-journal.ts) knows of
// the first attempt: the retry adopts that event, so the topic never holds two different events under one id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { kill } from '../../infra/stack/process.js';
import { RELEASE_SIGNAL } from '../../lib/crash-point.js';
import { within } from '../../lib/deadline.js';
import { up } from '../../infra/stack/stack.js';
import { compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';
import { waitFor } from '../helpers/wait.js';

const fx = gatewayFixture('lost-update');

test('Temporal killed between the broker ack and the workflow task completion: the retried update adopts the published event', async () => {
  const steps = vrsScreeningSteps();
  const index = 2;
  const id = await compositionAtStep(fx.http, fx.tokens, index);
  await fx.services.killWorker('SIGTERM');
  await fx.services.startWorker({ COORD_WORKER_FAILPOINT: 'after-publish-ack:1:pause' });
  const held = fx.services.worker.child;

  const key = `lost-update-${id}`;
  const first = runStep(fx.http, steps[index]!, fx.tokens, id, key).catch((err: unknown) => ({ status: 0, body: { error: String(err) } }));
  // the broker has the event; the worker is held before its workflow task completes
  await waitFor(async () => distinct(await topicEvents(id)).length === index + 1, { what: 'the held transition acknowledged by the broker', timeoutMs: 60_000, intervalMs: 100 });
  await kill('temporal');
  await up({ only: ['temporal'] });
  held.kill(RELEASE_SIGNAL);
  assert.equal(held.exitCode, null, 'the held worker goes on after its release');
  // The gateway's Temporal client may itself send the update again once the server is back (then the first
  // request is answered); otherwise the caller does, with the same idempotency key, as after any 5xx.
  let reply = await within(first, 120_000, 'the held request to be answered');
  if (reply.status !== 200) {
    await waitFor(
      async () => {
        reply = await within(runStep(fx.http, steps[index]!, fx.tokens, id, key), 60_000, 'a retried request').catch((err: unknown) => ({ status: 0, body: { error: String(err) } }));
        return reply.status === 200 || (reply.status !== 0 && reply.status < 500 ? reply : false);
      },
      { what: 'the transition answered after the restart', timeoutMs: 120_000, intervalMs: 500 },
    );
  }
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const body = reply.body as { event_id: string; this_hash: string };
  const raw = await topicEvents(id);
  const byId = new Map<string, Set<string>>();
  for (const e of raw) byId.set(e.event_id, (byId.get(e.event_id) ?? new Set()).add(e.this_hash));
  for (const [eventId, hashes] of byId) assert.equal(hashes.size, 1, `${eventId}: ${hashes.size} different events under one id`);
  const events = distinct(raw);
  assert.equal(events.length, index + 1);
  assert.deepEqual([body.event_id, body.this_hash], [events.at(-1)!.event_id, events.at(-1)!.this_hash], 'the answer names the event in Kafka');

  // and the composition goes on from it
  await fx.services.killWorker('SIGTERM');
  await fx.services.startWorker();
  const { status, body: next } = await runStep(fx.http, steps[index + 1]!, fx.tokens, id);
  assert.equal(status, 200, JSON.stringify(next));
  const all = await topicEvents(id);
  assert.equal(verify(all).ok, true, JSON.stringify(verify(all).first_break));
  assert.equal((await view(fx.http, id)).sequence, index + 2);
});
