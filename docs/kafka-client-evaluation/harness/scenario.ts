/**
 * Crash window between append and answer, client-independent (TCP proxy on the broker's FAULT listener).
 * Usage (inside netns kev, broker running): node --import tsx src/scenario.ts <client>
 * 1-partition topic; 4 senders produce keyed messages continuously, each awaiting its ack and resending the
 * same message (same payload) after a failure; the proxy swallows one produce answer; once the broker has
 * answered it, the broker is SIGKILLed and kept down DOWN_MS, then restarted. Senders stop taking new
 * messages RUN_AFTER_READY_MS after the broker is back and finish their current one by the deadline
 * (fault + 120 s). Then the topic is read whole and compared with what was acknowledged.
 */
import { writeFileSync } from 'node:fs';
import { errorSignature, makeAdapter } from './adapters.js';
import { brokerPid, createTopic, ensureBroker, killBroker, readAllIds, startBroker, waitBrokerReady } from './broker.js';
// the project's own client-independent fault proxy (copy it beside the harness when running it outside the repo)
import { KafkaFaultProxy } from '../../../test/helpers/kafka-fault-proxy.js';

const client = process.argv[2]!;
const LANES = 4;
const WARMUP_MS = 5_000;
const DOWN_MS = 25_000;
const DEADLINE_MS = 120_000; // after the fault
const RUN_AFTER_READY_MS = 15_000;
const RETRY_PAUSE_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const rel = (t: number | undefined) => (t === undefined ? null : Math.round(t - t0));
const log = (...a: unknown[]) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

async function main() {
  await ensureBroker();
  const topic = `scn-${client}-${Date.now()}`;
  await createTopic(topic, 1);
  const proxy = await KafkaFaultProxy.start(9095, { host: '127.0.0.1', port: 9094 });
  const adapter = await makeAdapter(client, { brokers: ['127.0.0.1:9095'], requestTimeoutMs: 5_000, deliveryTimeoutMs: 25_000 });
  await adapter.connect();

  const acked = new Map<string, number>(); // id -> time acked
  const errors = new Map<string, { count: number; first: number; last: number }>();
  let tFault: number | undefined;
  let tKilled: number | undefined;
  let tRestart: number | undefined;
  let tReady: number | undefined;
  let firstAckAfterRestart: number | undefined;
  let lastAck: number | undefined;
  let failedSendsAfterReady = 0;
  let stopNew = false;
  let deadline = Number.POSITIVE_INFINITY;
  const pending = new Map<number, { id: string; since: number; attempts: number }>();
  const attemptsHist: number[] = [];

  const lane = async (i: number) => {
    for (let n = 0; !stopNew; n += 1) {
      const id = `L${i}-${n}`;
      const value = Buffer.from(`${id}|${'x'.repeat(200)}`);
      const p = { id, since: Date.now(), attempts: 0 };
      pending.set(i, p);
      for (;;) {
        p.attempts += 1;
        try {
          await adapter.send(topic, `key-${i}`, value);
          const now = Date.now();
          acked.set(id, now);
          lastAck = now;
          if (tRestart !== undefined && firstAckAfterRestart === undefined) firstAckAfterRestart = now;
          break;
        } catch (err) {
          const now = Date.now();
          const sig = errorSignature(err);
          const e = errors.get(sig) ?? { count: 0, first: now, last: now };
          e.count += 1;
          e.last = now;
          errors.set(sig, e);
          if (tReady !== undefined) failedSendsAfterReady += 1;
          if (now > deadline) return; // gives up: still pending
          await sleep(RETRY_PAUSE_MS);
        }
      }
      attemptsHist.push(p.attempts);
      pending.delete(i);
    }
  };
  const lanes = Array.from({ length: LANES }, (_, i) => lane(i));

  await sleep(WARMUP_MS);
  log(`warm: ${acked.size} acked; arming proxy`);
  const ackedBeforeFault = acked.size;
  const swallowed = await Promise.race([proxy.swallowNextProduceAnswer(), sleep(30_000).then(() => undefined)]);
  if (!swallowed) throw new Error('no produce request went through the proxy in 30 s');
  tFault = Date.now();
  deadline = tFault + DEADLINE_MS;
  const pid = brokerPid()!;
  killBroker(pid);
  tKilled = Date.now();
  log(`swallowed answer of correlation id ${swallowed.correlationId} (${swallowed.request.length} bytes); SIGKILLed broker pid ${pid}`);
  const ackedAtKill = acked.size;
  await sleep(DOWN_MS);
  const ackedWhileDown = acked.size - ackedAtKill;
  tRestart = Date.now();
  const newPid = startBroker();
  log(`restarted broker pid ${newPid}`);
  await waitBrokerReady();
  tReady = Date.now();
  log(`broker ready; acks so far ${acked.size}`);
  const stopAt = Math.min(tReady + RUN_AFTER_READY_MS, deadline);
  while (Date.now() < stopAt) await sleep(250);
  stopNew = true;
  log('no new messages; waiting for lanes');
  const lanesDone = await Promise.race([Promise.all(lanes).then(() => true), sleep(Math.max(0, deadline - Date.now()) + 35_000).then(() => false)]);
  const stuck = [...pending.values()].map((p) => ({ ...p, since: rel(p.since) }));
  log(`lanes done=${lanesDone}, stuck=${stuck.length}`);
  const info = adapter.info();
  await Promise.race([adapter.close().catch(() => undefined), sleep(10_000)]);
  await proxy.close();

  const { counts, records } = await readAllIds(topic);
  const missing = [...acked.keys()].filter((id) => !counts.has(id));
  const duplicates = [...counts.entries()].filter(([, c]) => c > 1);
  const ackedAfterRestart = [...acked.values()].filter((t) => t >= tRestart!).length;
  const result = {
    client,
    topic,
    config: { lanes: LANES, warmupMs: WARMUP_MS, downMs: DOWN_MS, deadlineMs: DEADLINE_MS, runAfterReadyMs: RUN_AFTER_READY_MS, requestTimeoutMs: 5_000, deliveryTimeoutMs: 25_000 },
    timeline: { faultMs: rel(tFault), killedMs: rel(tKilled), restartMs: rel(tRestart), brokerReadyMs: rel(tReady), firstAckAfterRestartMs: rel(firstAckAfterRestart), lastAckMs: rel(lastAck) },
    resumed: firstAckAfterRestart !== undefined,
    resumedAfterRestartS: firstAckAfterRestart === undefined ? null : (firstAckAfterRestart - tRestart) / 1000,
    resumedAfterBrokerReadyS: firstAckAfterRestart === undefined ? null : (firstAckAfterRestart - tReady) / 1000,
    acked: acked.size,
    ackedBeforeFault,
    ackedWhileDown,
    ackedAfterRestart,
    recordsInTopic: records,
    distinctIdsInTopic: counts.size,
    ackedMissingFromTopic: missing.length,
    missingSample: missing.slice(0, 10),
    duplicateIds: duplicates.length,
    duplicateRecords: duplicates.reduce((s, [, c]) => s + c - 1, 0),
    unackedInTopic: [...counts.keys()].filter((id) => !acked.has(id)).length,
    lanesFinished: lanesDone && stuck.length === 0,
    stuckLanes: stuck,
    wedged: firstAckAfterRestart === undefined || stuck.length > 0,
    failedSendsAfterBrokerReady: failedSendsAfterReady,
    errors: Object.fromEntries([...errors.entries()].map(([k, v]) => [k, { count: v.count, firstMs: rel(v.first), lastMs: rel(v.last) }])),
    maxAttemptsPerMessage: Math.max(0, ...attemptsHist),
    clientInfo: info,
  };
  writeFileSync(`/work/eval/results/scenario-${client}${process.env.SCN_TAG ? `-${process.env.SCN_TAG}` : ""}.json`, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
