// At least once, safely: the worker is SIGKILLed right after the broker acknowledged a transition's audit
// event and before its workflow task completed (COORD_WORKER_FAILPOINT=after-publish-ack:1), so Temporal
// never heard of that attempt and the next worker runs the transition again. The caller's request is
// answered once, with the event that is in Kafka; the topic holds that event once or as identical copies,
// never two different events under one id; the chain goes on from it; nothing acknowledged is lost.
// The next worker runs on the same host (it finds the attempt in the host's publish journal) or on another
// (a journal of its own: it learns of the lost attempt from the history and reads the topic back).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

const fx = gatewayFixture('crash-after-ack');

for (const [index, what, host] of [
  [0, 'the opening (update-with-start)', 'same'],
  [2, 'a transition mid-composition', 'same'],
  [0, 'the opening (update-with-start)', 'another'],
  [2, 'a transition mid-composition', 'another'],
] as const) {
  test(`SIGKILL after the broker's ack of ${what}, retried on ${host} host: answered once, with the event in Kafka; the chain goes on`, async () => {
    const steps = vrsScreeningSteps();
    const id = index === 0 ? undefined : await compositionAtStep(fx.http, fx.tokens, index);
    // This worker dies right after the broker acknowledges its first audit event.
    await fx.services.killWorker('SIGTERM');
    await fx.services.startWorker({ COORD_WORKER_FAILPOINT: 'after-publish-ack:1' });
    const doomed = fx.services.worker.child;
    const exited = doomed.exitCode !== null || doomed.signalCode !== null ? Promise.resolve() : once(doomed, 'exit');
    const compositionId = id ?? newCompositionId();
    const reply = runStep(fx.http, steps[index]!, fx.tokens, compositionId);
    await exited;
    assert.equal(doomed.signalCode, 'SIGKILL', 'the worker died at the crash point');
    const acked = distinct(await topicEvents(compositionId));
    assert.equal(acked.length, index + 1, 'the event was acknowledged by the broker before the crash');

    await fx.services.startWorker(host === 'same' ? {} : { COORD_WORKER_JOURNAL_DIR: mkdtempSync(join(tmpdir(), 'journal-')) });
    const answered = await reply;
    assert.ok(answered.status === 200 || answered.status === 201, JSON.stringify(answered.body));
    const body = answered.body as { event_id: string; this_hash: string };
    const raw = await topicEvents(compositionId);
    const events = distinct(raw);
    const byId = new Map<string, Set<string>>();
    for (const e of raw) byId.set(e.event_id, (byId.get(e.event_id) ?? new Set()).add(e.this_hash));
    for (const [eventId, hashes] of byId) assert.equal(hashes.size, 1, `${eventId}: ${hashes.size} different events under one id`);
    assert.equal(events.length, index + 1, `${raw.length} messages, ${events.length} distinct events`);
    assert.deepEqual([body.event_id, body.this_hash], [events.at(-1)!.event_id, events.at(-1)!.this_hash], 'the answer names the acknowledged event');

    // the composition goes on from that event
    for (const step of steps.slice(index + 1, index + 3)) {
      const { status, body: b } = await runStep(fx.http, step, fx.tokens, compositionId);
      assert.equal(status, 200, `${step.schemaId}: ${JSON.stringify(b)}`);
    }
    const all = await topicEvents(compositionId);
    const chain = verify(all);
    assert.equal(chain.ok, true, JSON.stringify(chain.first_break));
    assert.equal(distinct(all).length, index + 3);
    assert.equal((await view(fx.http, compositionId)).sequence, index + 3);
  });
}
