// Bounded chaos (issue 10): compositions are driven over HTTP while, one after another, the worker, the
// gateway, the ledger, Temporal, Kafka (once plainly, once in the window between an append and its answer),
// the schema registry and the PDP are SIGKILLed and brought back — the project's processes by the
// supervisor of `npm start`, the servers by the stack. Callers retry what got no answer with the same
// Idempotency-Key, as a client should. Afterwards: every acknowledged transition is in the topic exactly as
// acknowledged, no event conflicts with another, every composition is closed, the ledger's delta is 0 and
// its quarantine empty. The kill order is shuffled by a seed printed with any failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { readAuditEvents } from '../../kafka/reader.js';
import { ledgerStatus } from '../../ledger/status.js';
import { withLedgerStore } from '../../ledger/open-store.js';
import { withTemporal } from '../../ledger/temporal-client.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { verify } from '../../audit/verify.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { config } from '../../config/index.js';
import { within } from '../../lib/deadline.js';
import { LOCAL_PORTS, schemaRegistryEndpoint } from '../../config/endpoints.js';
import { Services, type ServiceName } from '../../workers/services.js';
import { kill } from '../../infra/stack/process.js';
import { up } from '../../infra/stack/stack.js';
import { Supervisor } from '../../workers/supervisor.js';
import { distinct } from '../helpers/audit-topic.js';
import { KafkaFaultProxy } from '../helpers/kafka-fault-proxy.js';
import { scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const STEPS = vrsScreeningSteps();
const DRIVERS = 4;
/** a driver whose step gets no answer tries again after this (same Idempotency-Key) */
const RETRY_MS = 500;
/** the whole run, chaos and all, must end within this: a wedged composition fails the test, never hangs it */
const RUN_MS = 8 * 60_000;

type Target = Exclude<ServiceName, 'worker2'> | 'temporal' | 'kafka' | 'kafka-unanswered' | 'schema-registry' | 'pdp';
const TARGETS: Target[] = ['worker', 'gateway', 'ledger', 'temporal', 'kafka', 'kafka-unanswered', 'schema-registry', 'pdp'];

const seed = config().COORD_CHAOS_SEED ?? Date.now() % 100_000;
function shuffled<T>(items: readonly T[]): T[] {
  let state = seed || 1;
  const next = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let proxy: KafkaFaultProxy;
let services: Services;
let supervisor: Supervisor;
let http: GatewayHttp;
let tokens: VrsTokens;
let topic: string;
let taskQueue: string;
const ledgerUrl = scratchLedgerUrl();
const supervisorLog: Record<string, unknown>[] = [];
/** composition → event id → this_hash, for every transition answered 2xx */
const acknowledged = new Map<string, Map<string, string>>();
let acks = 0;

before(async () => {
  await stackReady();
  topic = await scratchTopic('chaos');
  taskQueue = `it-chaos-${randomUUID().slice(0, 8)}`;
  proxy = await KafkaFaultProxy.start(LOCAL_PORTS.kafkaFaultProxy, { host: '127.0.0.1', port: LOCAL_PORTS.kafkaFaultListener });
  services = await Services.start({
    taskQueue,
    tag: 'test-chaos',
    ledger: true,
    secondWorker: true, // as npm start runs it
    env: { COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: ledgerUrl, COORD_SELF_AUDIT_INTERVAL: '3600', KAFKA_BROKERS: `127.0.0.1:${LOCAL_PORTS.kafkaFaultProxy}` },
  });
  supervisor = new Supervisor(services, (entry) => void supervisorLog.push(entry));
  await supervisor.start();
  http = new GatewayHttp(services.gatewayUrl);
  tokens = await mintVrsTokens();
});
after(async () => {
  await supervisor?.stop();
  await proxy?.close();
  await up(); // whatever a failed test left stopped
});

/** One step, tried until it is answered with anything but a server error or a dropped connection. */
async function stepUntilAnswered(id: string, index: number): Promise<void> {
  const key = `chaos-${id}-${index}`;
  for (;;) {
    const reply = await runStep(http, STEPS[index]!, tokens, id, key).catch((err: unknown) => ({ status: 0, body: { error: String(err) } }));
    if (reply.status >= 200 && reply.status < 300) {
      const { event_id, this_hash } = reply.body as { event_id: string; this_hash: string };
      const mine = acknowledged.get(id) ?? new Map<string, string>();
      mine.set(event_id, this_hash);
      acknowledged.set(id, mine);
      acks += 1;
      return;
    }
    if (reply.status !== 0 && reply.status < 500) throw new Error(`${id} step ${index + 1}: ${reply.status} ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Opens and closes compositions, one at a time, until the chaos is over; returns their ids. */
async function driver(chaosOver: () => boolean): Promise<string[]> {
  const ids: string[] = [];
  do {
    const id = newCompositionId();
    ids.push(id);
    for (let i = 0; i < STEPS.length; i++) await stepUntilAnswered(id, i);
  } while (!chaosOver());
  return ids;
}

/** Kills one target and brings it back; resolves, once the drivers have made progress again, with how long that took since the kill. */
async function strike(target: Target): Promise<number> {
  const before = acks;
  let killedAt = Date.now();
  if (target === 'worker' || target === 'gateway' || target === 'ledger') {
    const seen = supervisorLog.length;
    process.kill(services[target]!.child.pid!, 'SIGKILL');
    await waitFor(() => supervisorLog.slice(seen).some((l) => l.msg === 'service restarted' && l.service === target), { what: `${target} restarted`, timeoutMs: 120_000 });
  } else if (target === 'kafka-unanswered') {
    // an append whose answer never reaches the worker, then the broker dies in that window
    await within(proxy.swallowNextProduceAnswer(), 60_000, 'a produce request to swallow the answer of');
    killedAt = Date.now();
    await kill('kafka');
    await up({ only: ['kafka'] });
  } else {
    await kill(target);
    await up({ only: [target] });
  }
  await waitFor(() => acks > before + 1, { what: `transitions acknowledged again after ${target} came back`, timeoutMs: 180_000, intervalMs: 100 });
  return Date.now() - killedAt;
}

test(`chaos (seed ${seed}): every server killed and restarted under load; nothing acknowledged lost, nothing stuck, the ledger agrees`, async () => {
  let over = false;
  const recoveryMs: Partial<Record<Target, number>> = {};
  const drivers = Array.from({ length: DRIVERS }, () => driver(() => over));
  const run = (async () => {
    await waitFor(() => acks >= DRIVERS * 2, { what: 'the drivers to get going', timeoutMs: 60_000 });
    try {
      for (const target of shuffled(TARGETS)) recoveryMs[target] = await strike(target);
    } finally {
      over = true;
    }
    return (await Promise.all(drivers)).flat();
  })();
  const ids = await within(run, RUN_MS, `the chaos run (seed ${seed})`);
  assert.ok(ids.length >= DRIVERS, 'compositions were driven');

  const serializer = new AuditSerializer(schemaRegistryEndpoint().address, topic);
  for (const id of ids) {
    const raw = await readAuditEvents({ topic, serializer, compositionId: id });
    const events = distinct(raw);
    const inTopic = new Map(events.map((e) => [e.event_id, e.this_hash]));
    for (const [eventId, hash] of acknowledged.get(id) ?? []) {
      assert.equal(inTopic.get(eventId), hash, `${id}: acknowledged ${eventId} ${inTopic.has(eventId) ? 'differs in' : 'is missing from'} the topic (seed ${seed})`);
    }
    const chain = verify(raw); // a conflicting duplicate (same id, other content) is a break
    assert.equal(chain.ok, true, `${id}: ${JSON.stringify(chain.first_break)} (seed ${seed})`);
    assert.deepEqual(events.map((e) => e.schema_id), STEPS.map((s) => s.schemaId), `${id}: the nine §7b events`);
  }

  await withTemporal((temporal) =>
    withLedgerStore(async (store) => {
      const report = await ledgerStatus({ store, temporal, topic, taskQueue, lagWindowSeconds: 60 });
      assert.equal(report.delta, 0, `${JSON.stringify(report.mismatches)} (seed ${seed})`);
      assert.deepEqual((await store.quarantine({ limit: 10 })).entries, []);
    }, ledgerUrl),
  );
  // the figures for the README: from each kill until transitions are acknowledged again
  console.log(JSON.stringify({ chaos_seed: seed, compositions: ids.length, acknowledged: acks, recovery_ms: recoveryMs }));
});
