/**
 * Benchmark: N compositions through the full §7b lifecycle (9 transitions each) with C in flight, on the
 * local stack, in three variants one after the other:
 *  - audited: the path users take — the HTTP gateway, real tokens from the dev IdPs, the real PDP, real Kafka;
 *  - bare: against the same worker, the baseline workflow (bench/workflows/baseline.ts: the same updates and
 *    state changes, no JWT/ABAC/audit effect) through the Temporal client;
 *  - restate: the same steps with the same guarantees on a restate-server (bench/lib/restate-variant.ts),
 *    started once the worker has stopped and stopped after (`--no-restate` leaves it out).
 * Prints one JSON object: compositions/s of each, transition latency percentiles (HTTP request in → response
 * out, which includes the audit ack), CPU per composition by process, peak RSS, Kafka events per composition,
 * Temporal billable actions and history events (the Temporal variants), the ratios against their targets,
 * and where a transition's time goes (`breakdown_ms`).
 * Usage: node --import tsx bench/lifecycle.ts [--compositions 200] [--concurrency 10] [--warmup 10] [--no-restate]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { mintVrsTokens } from '../cli/demo/vrs-tokens.js';
import { encryptedDataConverter } from '../client/data-converter.js';
import { newCompositionId } from '../client/coordination-client.js';
import { GatewayHttp } from '../client/gateway-http.js';
import { fetchAllRunHistories } from '../client/histories.js';
import { temporalEndpoint, temporalNamespace } from '../config/endpoints.js';
import { Services } from '../workers/services.js';
import { workflowBundle } from '../workers/workflow-bundle.js';
import { ROOT } from '../config/paths.js';
import { runRestateBench, type RestateBenchResult } from './restate.js';
import { benchTopic, prepareBenchTopic, topicMessageCount, truncateBenchTopic } from './lib/bench-topic.js';
import { breakdown, type Breakdown } from './lib/breakdown.js';
import { historyTiming } from './lib/history-timing.js';
import { runPool } from './lib/pool.js';
import { cpuDelta, cpuSnapshot } from './lib/proc-cpu.js';
import { procMemory, RssSampler } from './lib/proc-memory.js';
import { scrape } from './lib/prometheus.js';
import { round, summarize, type LatencySummary } from './lib/stats.js';
import { judge, type Judged } from './lib/targets.js';
import { countActions } from './lib/temporal-actions.js';
import { auditedDriver, baselineDriver, type CompositionDriver } from './lib/variants.js';

export interface LifecycleBenchOptions {
  compositions: number;
  concurrency: number;
  /** compositions of each variant run first and not measured (JIT, caches, connections) */
  warmup: number;
  /** also run the Restate peer (default true) */
  restate?: boolean;
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
  /** what Temporal Cloud would bill (bench/lib/temporal-actions.ts) */
  temporal_actions_per_composition: number;
  history_events_per_composition: number;
  actions_by_kind_per_composition: Record<string, number>;
  kafka_events_per_composition: number;
  /** the largest VmRSS of the worker sampled during this variant's measured run */
  worker_peak_rss_mb: number;
  /** CPU milliseconds per composition in each process (stack components are shared: others' load counts) */
  cpu_ms_per_composition: Record<string, number>;
}

export interface LifecycleRatios {
  /** audited compositions/s ÷ bare compositions/s (1 = auditing is free) */
  audited_to_bare: Judged;
  /** audited compositions/s ÷ Restate compositions/s (null without the Restate variant) */
  audited_to_restate: Judged;
  /** transition latency p99, audited ÷ bare */
  p99_audited_to_bare: Judged;
  /** billable Temporal actions per composition, audited ÷ bare */
  billable_actions_audited_to_bare: Judged;
  /** the worker's VmHWM over both Temporal variants */
  worker_peak_rss_mb: Judged;
}

export interface LifecycleBenchResult {
  benchmark: 'lifecycle';
  compositions: number;
  concurrency: number;
  transitions_per_composition: number;
  audited: VariantResult;
  baseline: VariantResult;
  /** the Restate peer, same compositions and concurrency (absent with --no-restate) */
  restate?: RestateBenchResult;
  /** each ratio with its target (bench/lib/targets.ts) */
  ratios: LifecycleRatios;
  /** audited compositions/s ÷ bare compositions/s (= ratios.audited_to_bare.value) */
  ratio_audited_to_bare: number;
  transition_p99_ms: { audited: number; baseline: number; restate?: number };
  /** VmHWM of the worker process: its peak resident set over its whole life (start, both Temporal variants) */
  worker_peak_rss_mb: number;
  gateway_peak_rss_mb: number;
  breakdown_ms: { audited: Breakdown; baseline: Breakdown };
}

/** The worker's bundle entry: production's workflows plus the bare baseline. */
const BENCH_WORKFLOWS = 'bench/workflows/index.ts';

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

const ratioOf = (a: number | undefined, b: number | undefined): number | null =>
  a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 3) : null;

export function lifecycleRatios(audited: VariantResult, baseline: VariantResult, restate: RestateBenchResult | undefined, workerPeakRssMb: number): LifecycleRatios {
  return {
    audited_to_bare: judge('audited_to_bare', ratioOf(audited.compositions_per_s, baseline.compositions_per_s)),
    audited_to_restate: judge('audited_to_restate', ratioOf(audited.compositions_per_s, restate?.compositions_per_s)),
    p99_audited_to_bare: judge('p99_audited_to_bare', ratioOf(audited.transition_latency_ms.p99_ms, baseline.transition_latency_ms.p99_ms)),
    billable_actions_audited_to_bare: judge('billable_actions_audited_to_bare', ratioOf(audited.temporal_actions_per_composition, baseline.temporal_actions_per_composition)),
    worker_peak_rss_mb: judge('worker_peak_rss_mb', workerPeakRssMb),
  };
}

export async function runLifecycleBench(options: LifecycleBenchOptions): Promise<LifecycleBenchResult> {
  const log = options.log ?? (() => undefined);
  const topic = options.topic ?? benchTopic();
  await prepareBenchTopic(topic);
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  log(`lifecycle: worker and gateway on task queue ${taskQueue}, audit topic ${topic}`);
  // a worker that also registers the bare baseline workflow (bench/workflows/): production's never does.
  // Bundled here first when the sources changed, so the worker loads it from the cache: its peak RSS is then
  // the worker's own, not webpack's (a first start after a change bundles in the worker, at +100 MB).
  await workflowBundle(undefined, join(ROOT, BENCH_WORKFLOWS));
  const services = await Services.start({ taskQueue, tag: 'bench', env: { COORD_AUDIT_TOPIC: topic }, workerArgs: ['--workflows', BENCH_WORKFLOWS] });
  const connection = await Connection.connect({ address: temporalEndpoint().address });
  const workerPid = services.worker.child.pid!;
  const gatewayPid = services.gateway.child.pid!;
  const rss = new RssSampler(workerPid);
  let servicesStopped = false;
  try {
    const client = new Client({ connection, namespace: temporalNamespace(), dataConverter: encryptedDataConverter() });
    const tokens = await mintVrsTokens();
    const pids = { worker: workerPid, gateway: gatewayPid };
    const ctx = { ...options, client, metrics: services.env.COORD_METRICS_ADDRESS!, rss, topic, taskQueue, pids };

    log(`lifecycle: audited, ${options.compositions} compositions × 9 transitions, concurrency ${options.concurrency}`);
    const audited = await measure('audited', auditedDriver(new GatewayHttp(services.gatewayUrl), tokens), ctx);
    log(`lifecycle: baseline, ${options.compositions} compositions × 9 updates, concurrency ${options.concurrency}`);
    const baseline = await measure('baseline', baselineDriver(client, taskQueue), ctx);

    const workerPeak = procMemory(workerPid)?.peak_rss_mb ?? Number.NaN;
    const gatewayPeak = procMemory(gatewayPid)?.peak_rss_mb ?? Number.NaN;
    // the Temporal worker and gateway stop before Restate starts: on a small machine they would take its CPU
    rss.stop();
    await services.stop();
    servicesStopped = true;
    let restate: RestateBenchResult | undefined;
    if (options.restate !== false) {
      log(`lifecycle: restate, ${options.compositions} compositions × 9 transitions, concurrency ${options.concurrency}`);
      restate = await runRestateBench({ compositions: options.compositions, concurrency: options.concurrency, warmup: options.warmup, topic, log });
    }

    const ratios = lifecycleRatios(audited.result, baseline.result, restate, workerPeak);
    return {
      benchmark: 'lifecycle',
      compositions: options.compositions,
      concurrency: options.concurrency,
      transitions_per_composition: audited.result.transitions / audited.result.compositions,
      audited: audited.result,
      baseline: baseline.result,
      ...(restate ? { restate } : {}),
      ratios,
      ratio_audited_to_bare: ratios.audited_to_bare.value ?? Number.NaN,
      transition_p99_ms: {
        audited: audited.result.transition_latency_ms.p99_ms,
        baseline: baseline.result.transition_latency_ms.p99_ms,
        ...(restate ? { restate: restate.transition_latency_ms.p99_ms } : {}),
      },
      worker_peak_rss_mb: workerPeak,
      gateway_peak_rss_mb: gatewayPeak,
      breakdown_ms: { audited: audited.breakdown, baseline: baseline.breakdown },
    };
  } finally {
    rss.stop();
    if (!servicesStopped) await services.stop();
    await connection.close();
    await truncateBenchTopic(topic).catch((err: unknown) => log(`lifecycle: could not truncate ${topic}: ${String(err)}`));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      compositions: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '10' },
      'no-restate': { type: 'boolean', default: false },
    },
  });
  const { up } = await import('../infra/stack/stack.js');
  await up();
  const result = await runLifecycleBench({
    compositions: Number(values.compositions),
    concurrency: Number(values.concurrency),
    warmup: Number(values.warmup),
    restate: !values['no-restate'],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
