/**
 * Benchmark: N compositions through the §7b lifecycle (9 transitions each) with C in flight, on a real
 * restate-server (the Restate variant, bench/lib/restate-variant.ts), against the local stack's IdPs, PDP,
 * registry and Kafka. Prints one JSON object: compositions/s, transition latency percentiles (HTTP request in
 * → response out, which includes the Kafka ack), CPU per composition in each process, the peak RSS of the SDK
 * endpoint and of the restate-server, and Kafka events per composition.
 * Usage: node --import tsx bench/restate.ts [--compositions 50] [--concurrency 10] [--warmup 5]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { newCompositionId } from '../client/coordination-client.js';
import { benchTopic, prepareBenchTopic, topicMessageCount, truncateBenchTopic } from './lib/bench-topic.js';
import { runPool } from './lib/pool.js';
import { cpuDelta, cpuSnapshot } from './lib/proc-cpu.js';
import { procMemory, RssSampler } from './lib/proc-memory.js';
import { startRestateVariant } from './lib/restate-variant.js';
import { restateServerVersion } from './restate/server.js';
import { round, summarize, type LatencySummary } from './lib/stats.js';

export interface RestateBenchOptions {
  compositions: number;
  concurrency: number;
  /** compositions run first and not measured (JIT, caches, connections) */
  warmup: number;
  topic?: string;
  log?: (line: string) => void;
}

export interface RestateBenchResult {
  benchmark: 'restate-lifecycle';
  versions: { restate_server: string; restate_sdk: string };
  compositions: number;
  concurrency: number;
  transitions_per_composition: number;
  elapsed_s: number;
  compositions_per_s: number;
  transitions_per_s: number;
  transition_latency_ms: LatencySummary;
  /** CPU milliseconds per composition in each process (the stack's components are shared: others' load counts) */
  cpu_ms_per_composition: Record<string, number>;
  /** VmHWM: each process's peak resident set over its whole life (start, warm-up and run) */
  peak_rss_mb: { restate_endpoint: number; restate_server: number };
  /** the largest VmRSS sampled during the measured run */
  run_peak_rss_mb: { restate_endpoint: number; restate_server: number };
  kafka_events_per_composition: number;
}

const packageVersion = (name: string) => (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;

export async function runRestateBench(options: RestateBenchOptions): Promise<RestateBenchResult> {
  const log = options.log ?? (() => undefined);
  const topic = options.topic ?? benchTopic();
  await prepareBenchTopic(topic);
  const variant = await startRestateVariant({ topic, log });
  const endpointPid = variant.pids.restate_endpoint!;
  const serverPid = variant.pids.restate_server!;
  const samplers = { restate_endpoint: new RssSampler(endpointPid), restate_server: new RssSampler(serverPid) };
  try {
    if (options.warmup > 0) await runPool(options.warmup, options.concurrency, async () => variant.driver(newCompositionId(), []));

    const ids = Array.from({ length: options.compositions }, () => newCompositionId());
    const latencies: number[] = [];
    const offsetsBefore = await topicMessageCount(topic);
    samplers.restate_endpoint.reset();
    samplers.restate_server.reset();
    const cpuBefore = cpuSnapshot(variant.pids);
    const t0 = performance.now();
    let done = 0;
    await runPool(ids.length, options.concurrency, async (i) => {
      await variant.driver(ids[i]!, latencies);
      done += 1;
      if (done % 50 === 0) log(`  restate: ${done}/${ids.length}`);
    });
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuDelta(cpuBefore, cpuSnapshot(variant.pids), ids.length);
    const runPeak = { restate_endpoint: samplers.restate_endpoint.reset(), restate_server: samplers.restate_server.reset() };
    const offsetsAfter = await topicMessageCount(topic);
    const n = ids.length;
    return {
      benchmark: 'restate-lifecycle',
      versions: { restate_server: restateServerVersion(), restate_sdk: packageVersion('@restatedev/restate-sdk') },
      compositions: n,
      concurrency: options.concurrency,
      transitions_per_composition: latencies.length / n,
      elapsed_s: round(elapsed, 2),
      compositions_per_s: round(n / elapsed, 2),
      transitions_per_s: round(latencies.length / elapsed, 1),
      transition_latency_ms: summarize(latencies),
      cpu_ms_per_composition: cpu,
      peak_rss_mb: { restate_endpoint: procMemory(endpointPid)?.peak_rss_mb ?? Number.NaN, restate_server: procMemory(serverPid)?.peak_rss_mb ?? Number.NaN },
      run_peak_rss_mb: runPeak,
      kafka_events_per_composition: round((offsetsAfter - offsetsBefore) / n, 2),
    };
  } finally {
    samplers.restate_endpoint.stop();
    samplers.restate_server.stop();
    await variant.stop();
    await truncateBenchTopic(topic).catch((err: unknown) => log(`restate: could not truncate ${topic}: ${String(err)}`));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { compositions: { type: 'string', default: '50' }, concurrency: { type: 'string', default: '10' }, warmup: { type: 'string', default: '5' } },
  });
  const { up } = await import('../infra/stack/stack.js');
  await up();
  const result = await runRestateBench({
    compositions: Number(values.compositions),
    concurrency: Number(values.concurrency),
    warmup: Number(values.warmup),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
