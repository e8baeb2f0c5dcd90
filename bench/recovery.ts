/**
 * Benchmark: how long the service takes to recover from a crashed process, as a caller sees it. The worker,
 * the gateway and the ledger run under the supervisor of `npm start`; each round SIGKILLs one of them and
 * at once sends the next transition of an open composition over HTTP (a caller retrying the same
 * Idempotency-Key every 100 ms while it gets no answer or a 5xx):
 * - worker, gateway: kill → the transition is answered 2xx;
 * - ledger: kill → the transition's event is in the ledger store (ingest resumed).
 * The worker is measured twice: as the only worker of its task queue (the kill waits for its restart) and as
 * one of two, as `npm start` runs it (the other takes over). Prints one JSON object: per scenario, each
 * round's milliseconds and their median and max.
 * Usage: node --import tsx bench/recovery.ts [--rounds 3]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { vrsScreeningSteps } from '../audit/examples/vrs-screening.js';
import { runStep } from '../cli/demo/vrs-over-http.js';
import { mintVrsTokens } from '../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../client/coordination-client.js';
import { GatewayHttp } from '../client/gateway-http.js';
import { withLedgerStore } from '../ledger/open-store.js';
import { Services, type ServiceName } from '../workers/services.js';
import { Supervisor } from '../workers/supervisor.js';
import { benchTopic, prepareBenchTopic } from './lib/bench-topic.js';
import { round } from './lib/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const say = (line: string) => process.stderr.write(`${line}\n`);
const STEPS = vrsScreeningSteps();
const RETRY_MS = 100;

const topic = benchTopic();
await prepareBenchTopic(topic);
const ledgerUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'coord-bench-recovery-')), 'ledger.db')}`;
const tokens = await mintVrsTokens();
let services: Services;
let http: GatewayHttp;
const log: Record<string, unknown>[] = [];

async function startService(secondWorker: boolean): Promise<Supervisor> {
  services = await Services.start({ tag: 'bench-recovery', ledger: true, secondWorker, taskQueue: `bench-recovery-${process.pid}`, env: { COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: ledgerUrl } });
  const supervisor = new Supervisor(services, (entry) => void log.push(entry));
  await supervisor.start();
  http = new GatewayHttp(services.gatewayUrl);
  return supervisor;
}

/** Sends step `index` until it is answered 2xx (same Idempotency-Key), as a caller that keeps trying would. */
async function stepUntilDone(id: string, index: number): Promise<void> {
  for (;;) {
    const reply = await runStep(http, STEPS[index]!, tokens, id, `recovery-${id}-${index}`).catch(() => ({ status: 0 }));
    if (reply.status >= 200 && reply.status < 300) return;
    if (reply.status !== 0 && reply.status < 500) throw new Error(`${id} step ${index + 1}: ${reply.status}`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function inLedger(id: string, events: number): Promise<boolean> {
  return withLedgerStore(async (store) => (await store.events({ composition_id: id, limit: 100 })).events.length >= events, ledgerUrl);
}

async function restarted(name: ServiceName, seen: number): Promise<void> {
  while (!log.slice(seen).some((l) => l.msg === 'service restarted' && l.service === name)) await new Promise((r) => setTimeout(r, 50));
}

async function oneRound(name: ServiceName): Promise<number> {
  const id = newCompositionId();
  for (const index of [0, 1]) await stepUntilDone(id, index); // requested, leased
  while (!(await inLedger(id, 2))) await new Promise((r) => setTimeout(r, 50));
  const seen = log.length;
  const killedAt = performance.now();
  process.kill(services[name]!.child.pid!, 'SIGKILL');
  await stepUntilDone(id, 2); // work_started
  if (name === 'ledger') while (!(await inLedger(id, 3))) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - killedAt;
  await restarted(name, seen); // the next round starts with every process up
  return ms;
}

type Scenario = 'worker (the only one)' | 'worker (one of two)' | 'gateway' | 'ledger';
const results: Partial<Record<Scenario, { rounds_ms: number[]; median_ms: number; max_ms: number }>> = {};
async function measure(scenario: Scenario, name: ServiceName): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ms.push(await oneRound(name));
    say(`${scenario} round ${i + 1}: ${round(ms.at(-1)!, 0)} ms`);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  results[scenario] = { rounds_ms: ms.map((v) => round(v, 0)), median_ms: round(sorted[Math.floor(sorted.length / 2)]!, 0), max_ms: round(sorted.at(-1)!, 0) };
}

let supervisor = await startService(false);
try {
  await measure('worker (the only one)', 'worker');
  await measure('gateway', 'gateway');
  await measure('ledger', 'ledger');
} finally {
  await supervisor.stop();
}
supervisor = await startService(true); // as `npm start` runs it
try {
  await measure('worker (one of two)', 'worker');
} finally {
  await supervisor.stop();
}
process.stdout.write(`${JSON.stringify({ benchmark: 'recovery', rounds, kill_to_recovered_ms: results }, null, 2)}\n`);
