/**
 * Benchmark: N compositions through the full §7b lifecycle (9 transitions each) with C in flight, on the
 * local stack, through the path users take — the HTTP gateway, real tokens from the dev IdPs, the real PDP,
 * real Kafka — and, in the same run against the same worker, N compositions through the bare baseline
 * workflow (bench/workflows/baseline.ts: the same updates and state changes, no JWT/ABAC/audit activity).
 * Prints one JSON object: compositions/s of each and their ratio, transition latency percentiles (HTTP
 * request in → response out, which includes the audit ack), Temporal actions and Kafka events per
 * composition, the worker's peak RSS, and where a transition's time goes (`breakdown_ms`).
 * Usage: node --import tsx bench/lifecycle.ts [--compositions 200] [--concurrency 10] [--warmup 10]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { mintVrsTokens } from '../cli/demo/vrs-tokens.js';
import { encryptedDataConverter } from '../client/data-converter.js';
import { newCompositionId } from '../client/coordination-client.js';
import { GatewayHttp } from '../client/gateway-http.js';
import { fetchAllRunHistories } from '../client/histories.js';
import { temporalEndpoint, temporalNamespace } from '../config/endpoints.js';
import { Services } from '../workers/services.js';
import { benchTopic, prepareBenchTopic, topicMessageCount, truncateBenchTopic } from './lib/bench-topic.js';
import { breakdown, type Breakdown } from './lib/breakdown.js';
import { historyTiming } from './lib/history-timing.js';
import { runPool } from './lib/pool.js';
import { cpuDelta, cpuSnapshot } from './lib/proc-cpu.js';
import { procMemory, RssSampler } from './lib/proc-memory.js';
import { scrape } from './lib/prometheus.js';
import { round, summarize, type LatencySummary } from './lib/stats.js';
import { countActions } from './lib/temporal-actions.js';
import { auditedDriver, baselineDriver, type CompositionDriver } from './lib/variants.js';

export interface LifecycleBenchOptions {
  compositions: number;
  concurrency: number;
  /** compositions of each variant run first and not measured (JIT, caches, connections) */
  warmup: number;
  topic?: string;
  log?: (line: string) => void;
}

export interface VariantResult {
  compositions: number;
  transitions: number;
  elapsed_s: number;
  compositions_per_s: number;
  transitions_per_s: number;
  transition_latency_ms: LatencySummary;
  temporal_actions_per_composition: number;
  history_events_per_composition: number;
  actions_by_kind_per_composition: Record<string, number>;
  kafka_events_per_composition: number;
  worker_peak_rss_mb: number;
  /** CPU milliseconds per composition in each process (stack components are shared: others' load counts) */
  cpu_ms_per_composition: Record<string, number>;
}

export interface LifecycleBenchResult {
  benchmark: 'lifecycle';
  compositions: number;
  concurrency: number;
  transitions_per_composition: number;
  audited: VariantResult;
  baseline: VariantResult;
  /** audited compositions/s ÷ bare compositions/s (1 = auditing is free) */
  ratio_audited_to_bare: number;
  transition_p99_ms: { audited: number; baseline: number };
  /** VmHWM of the worker process: its peak resident set over the whole run (both variants) */
  worker_peak_rss_mb: number;
  gateway_peak_rss_mb: number;
  breakdown_ms: { audited: Breakdown; baseline: Breakdown };
}

interface Measured {
  result: VariantResult;
  breakdown: Breakdown;
}

async function measure(
  name: string,
  drive: CompositionDriver,
  opts: LifecycleBenchOptions & { client: Client; metrics: string; rss: RssSampler; topic: string; taskQueue: string; pids: Record<string, number | undefined> },
): Promise<Measured> {
  const log = opts.log ?? (() => undefined);
  if (opts.warmup > 0) await runPool(opts.warmup, opts.concurrency, async () => drive(newCompositionId(), []));

  const ids = Array.from({ length: opts.compositions }, () => newCompositionId());
  const latencies: number[] = [];
  const [offsetsBefore, metricsBefore] = [await topicMessageCount(opts.topic), await scrape(opts.metrics)];
  opts.rss.reset();
  const cpuBefore = cpuSnapshot(opts.pids);
  const t0 = performance.now();
  let done = 0;
  await runPool(ids.length, opts.concurrency, async (i) => {
    await drive(ids[i]!, latencies);
    done += 1;
    if (done % 50 === 0) log(`  ${name}: ${done}/${ids.length}`);
  });
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(opts.pids), ids.length);
  const peakRss = opts.rss.reset();
  const [offsetsAfter, metricsAfter] = [await topicMessageCount(opts.topic), await scrape(opts.metrics)];

  const histories: Awaited<ReturnType<typeof fetchAllRunHistories>> = [];
  await runPool(ids.length, 8, async (i) => {
    histories.push(...(await fetchAllRunHistories(opts.client, ids[i]!)));
  });
  const actions = countActions(histories);
  const timing = historyTiming(histories);
  const n = ids.length;
  const latency = summarize(latencies);
  const perComposition = (v: number) => round(v / n, 2);
  return {
    result: {
      compositions: n,
      transitions: latencies.length,
      elapsed_s: round(elapsed, 2),
      compositions_per_s: round(n / elapsed, 2),
      transitions_per_s: round(latencies.length / elapsed, 1),
      transition_latency_ms: latency,
      temporal_actions_per_composition: perComposition(actions.actions),
      history_events_per_composition: perComposition(actions.history_events),
      actions_by_kind_per_composition: Object.fromEntries(Object.entries(actions.by_kind).map(([k, v]) => [k, perComposition(v)])),
      kafka_events_per_composition: perComposition(offsetsAfter - offsetsBefore),
      worker_peak_rss_mb: peakRss,
      cpu_ms_per_composition: cpu,
    },
    breakdown: {
      ...breakdown(metricsBefore, metricsAfter, latencies.length, latency.mean_ms, opts.taskQueue),
      history: { ...timing, outside_history_ms: round(latency.mean_ms - timing.span_ms) },
    },
  };
}

export async function runLifecycleBench(options: LifecycleBenchOptions): Promise<LifecycleBenchResult> {
  const log = options.log ?? (() => undefined);
  const topic = options.topic ?? benchTopic();
  await prepareBenchTopic(topic);
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  log(`lifecycle: worker and gateway on task queue ${taskQueue}, audit topic ${topic}`);
  // a worker that also registers the bare baseline workflow (bench/workflows/): production's never does
  const services = await Services.start({ taskQueue, tag: 'bench', env: { COORD_AUDIT_TOPIC: topic }, workerArgs: ['--workflows', 'bench/workflows/index.ts'] });
  const connection = await Connection.connect({ address: temporalEndpoint().address });
  const workerPid = services.worker.child.pid!;
  const rss = new RssSampler(workerPid);
  try {
    const client = new Client({ connection, namespace: temporalNamespace(), dataConverter: encryptedDataConverter() });
    const tokens = await mintVrsTokens();
    const pids = { worker: workerPid, gateway: services.gateway.child.pid };
    const ctx = { ...options, client, metrics: services.env.COORD_METRICS_ADDRESS!, rss, topic, taskQueue, pids };

    log(`lifecycle: audited, ${options.compositions} compositions × 9 transitions, concurrency ${options.concurrency}`);
    const audited = await measure('audited', auditedDriver(new GatewayHttp(services.gatewayUrl), tokens), ctx);
    log(`lifecycle: baseline, ${options.compositions} compositions × 9 updates, concurrency ${options.concurrency}`);
    const baseline = await measure('baseline', baselineDriver(client, taskQueue), ctx);

    const worker = procMemory(workerPid);
    const gateway = procMemory(services.gateway.child.pid!);
    return {
      benchmark: 'lifecycle',
      compositions: options.compositions,
      concurrency: options.concurrency,
      transitions_per_composition: audited.result.transitions / audited.result.compositions,
      audited: audited.result,
      baseline: baseline.result,
      ratio_audited_to_bare: round(audited.result.compositions_per_s / baseline.result.compositions_per_s, 3),
      transition_p99_ms: { audited: audited.result.transition_latency_ms.p99_ms, baseline: baseline.result.transition_latency_ms.p99_ms },
      worker_peak_rss_mb: worker?.peak_rss_mb ?? Number.NaN,
      gateway_peak_rss_mb: gateway?.peak_rss_mb ?? Number.NaN,
      breakdown_ms: { audited: audited.breakdown, baseline: baseline.breakdown },
    };
  } finally {
    rss.stop();
    await services.stop();
    await connection.close();
    await truncateBenchTopic(topic).catch((err: unknown) => log(`lifecycle: could not truncate ${topic}: ${String(err)}`));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { compositions: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '10' }, warmup: { type: 'string', default: '10' } },
  });
  const { up } = await import('../infra/stack/stack.js');
  await up();
  const result = await runLifecycleBench({
    compositions: Number(values.compositions),
    concurrency: Number(values.concurrency),
    warmup: Number(values.warmup),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
