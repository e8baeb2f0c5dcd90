// The crash window between append and answer (issue 10): a produce request is appended by the broker, its
// answer never reaches the worker, and Kafka is SIGKILLed and kept down past the client's retries while
// other compositions publish to the same partitions; then Kafka comes back. A producer that reuses its
// idempotent sequence numbers after such an unknown outcome makes the broker take the next events for
// duplicates (acknowledged, never written) or refuse everything after as out of order (wedged). The fault
// sits in a TCP proxy that reads only Kafka's framing, so the test holds for any client library.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { readAuditEvents, readToEnd } from '../../kafka/reader.js';
import { ledgerStatus } from '../../ledger/status.js';
import { withLedgerStore } from '../../ledger/open-store.js';
import { withTemporal } from '../../ledger/temporal-client.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp, type HttpResult } from '../../client/gateway-http.js';
import { within } from '../../lib/deadline.js';
import { LOCAL_PORTS, schemaRegistryEndpoint } from '../../config/endpoints.js';
import { Services } from '../../workers/services.js';
import { kill } from '../../infra/stack/process.js';
import { up } from '../../infra/stack/stack.js';
import { distinct } from '../helpers/audit-topic.js';
import { KafkaFaultProxy } from '../helpers/kafka-fault-proxy.js';
import { scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { pendingActivities } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const STEPS = vrsScreeningSteps();
const COMPOSITIONS = 8;
/** every reply must come within this once Kafka is back: a wedged publisher fails the test, never hangs it */
const RECOVERY_MS = 120_000;

let proxy: KafkaFaultProxy;
let services: Services;
let http: GatewayHttp;
let tokens: VrsTokens;
let topic: string;
let taskQueue: string;
/** what each composition's callers were told: event id → this_hash, for every 2xx */
const acknowledged = new Map<string, Map<string, string>>();

before(async () => {
  await stackReady();
  topic = await scratchTopic('unanswered', 2);
  taskQueue = `it-unanswered-${randomUUID().slice(0, 8)}`;
  proxy = await KafkaFaultProxy.start(LOCAL_PORTS.kafkaFaultProxy, { host: '127.0.0.1', port: LOCAL_PORTS.kafkaFaultListener });
  services = await Services.start({
    taskQueue,
    tag: 'test-unanswered',
    env: { COORD_AUDIT_TOPIC: topic, KAFKA_BROKERS: `127.0.0.1:${LOCAL_PORTS.kafkaFaultProxy}` },
  });
  http = new GatewayHttp(services.gatewayUrl);
  tokens = await mintVrsTokens();
});
after(async () => {
  await services?.stop();
  await proxy?.close();
  await up({ only: ['kafka'] }); // whatever a failed test left stopped
});

/** Step `index` (0-based) of §7b on `id`; a 2xx is remembered as acknowledged. */
async function step(id: string, index: number): Promise<HttpResult> {
  const reply = await runStep(http, STEPS[index]!, tokens, id);
  const body = reply.body as { event_id?: string; this_hash?: string };
  if (reply.status < 300 && body.event_id && body.this_hash) {
    const acks = acknowledged.get(id) ?? new Map<string, string>();
    acks.set(body.event_id, body.this_hash);
    acknowledged.set(id, acks);
  }
  return reply;
}

async function stepOk(id: string, index: number): Promise<void> {
  const reply = await step(id, index);
  assert.ok(reply.status < 300, `${id} step ${index + 1} (${STEPS[index]!.schemaId}): ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** The partition that holds each composition's events (by message key), read from the topic. */
async function partitionsOf(ids: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  await readToEnd(topic, (partition, message) => {
    const key = message.key?.toString('utf8');
    if (key && ids.includes(key)) found.set(key, partition);
  });
  return found;
}

async function publishRetried(id: string): Promise<boolean> {
  return (await pendingActivities(id)).some((a) => a.type === 'publishAuditEvent' && a.attempt >= 2);
}

test('an appended produce whose answer is lost, then Kafka SIGKILLed and down past the retries: every acknowledged event is in the topic, nothing is stuck, the ledger agrees', async () => {
  const ids = Array.from({ length: COMPOSITIONS }, () => newCompositionId());
  await Promise.all(ids.map(async (id) => {
    await stepOk(id, 0);
    await stepOk(id, 1);
  }));
  const partitions = await partitionsOf(ids);
  assert.equal(partitions.size, COMPOSITIONS);
  const [victim, ...others] = ids;
  const neighbours = others.filter((id) => partitions.get(id) === partitions.get(victim!));
  assert.ok(neighbours.length > 0 && neighbours.length < others.length, `compositions on both partitions: ${JSON.stringify([...partitions])}`);

  // The victim's step 3 is appended; its answer is lost; the broker dies.
  const swallowed = proxy.swallowNextProduceAnswer();
  const victimReply = step(victim!, 2);
  const { request } = await within(swallowed, 60_000, 'the victim\'s produce request to be answered by the broker');
  assert.ok(request.includes(Buffer.from(victim!)), 'the swallowed request carries the victim\'s event');
  assert.equal(await kill('kafka'), true);

  // Meanwhile every other composition publishes its step 3, to both partitions.
  const othersReplies = others.map((id) => step(id, 2));
  // Kafka stays down until the client has given up on each of them at least once.
  await waitFor(async () => (await Promise.all(ids.map(publishRetried))).every(Boolean), {
    what: 'every publish to fail at least once while Kafka is down',
    timeoutMs: 180_000,
    intervalMs: 500,
  });
  await up({ only: ['kafka'] });

  const replies = await within(Promise.all([victimReply, ...othersReplies]), RECOVERY_MS, 'the step-3 replies after Kafka came back');
  replies.forEach((r, i) => assert.equal(r.status, 200, `${ids[i]}: ${JSON.stringify(r.body)}`));
  // New compositions open, and every composition runs to its end.
  const fresh = [newCompositionId(), newCompositionId()];
  await within(
    Promise.all([
      ...ids.map(async (id) => {
        for (let i = 3; i < STEPS.length; i++) await stepOk(id, i);
      }),
      ...fresh.map(async (id) => {
        for (let i = 0; i < STEPS.length; i++) await stepOk(id, i);
      }),
    ]),
    RECOVERY_MS,
    'every composition to run to its end after the outage',
  );

  // Every acknowledged event is in the topic exactly as acknowledged; each chain is whole.
  const serializer = new AuditSerializer(schemaRegistryEndpoint().address, topic);
  for (const id of [...ids, ...fresh]) {
    const raw = await readAuditEvents({ topic, serializer, compositionId: id });
    const inTopic = new Map(distinct(raw).map((e) => [e.event_id, e.this_hash]));
    for (const [eventId, hash] of acknowledged.get(id) ?? []) {
      assert.equal(inTopic.get(eventId), hash, `${id}: acknowledged ${eventId} ${inTopic.has(eventId) ? 'differs in' : 'is missing from'} the topic`);
    }
    assert.equal(inTopic.size, STEPS.length, `${id}: ${inTopic.size} distinct events`);
    const chain = verify(raw);
    assert.equal(chain.ok, true, `${id}: ${JSON.stringify(chain.first_break)}`);
  }

  // The ledger, fed from the topic, agrees with Temporal on every head and quarantines nothing.
  await withTemporal((temporal) =>
    withLedgerStore(async (store) => {
      const report = await ledgerStatus({ store, temporal, topic, taskQueue, lagWindowSeconds: 30 });
      assert.equal(report.delta, 0, JSON.stringify(report.mismatches));
      assert.deepEqual((await store.quarantine({ limit: 10 })).entries, []);
    }, scratchLedgerUrl()),
  );
});
