/**
 * Benchmark: the audit publish path alone, as the worker runs it — build the event and chain it (RFC 8785
 * canonical JSON, SHA-256), validate and registry-encode it (Confluent wire format), produce it with the
 * worker's producer (idempotent, acks=all) and wait for the ack — at increasing concurrency. Each lane is one
 * composition with one event in flight, as a workflow is; lanes share one publisher, as a worker's
 * activities do. Per level: events/s sustained over the duration, ack latency percentiles (build start →
 * broker ack) and the mean time of each phase. Prints one JSON object.
 * Usage: node --import tsx bench/append.ts [--levels 1,4,16,64] [--duration 30] [--max-batch 1 (no coalescing)] [--signed]
 */
import { parseArgs } from 'node:util';
import { EmitterSigner } from '../audit/emitter-signature.js';
import { buildVrsExample } from '../audit/examples/vrs-screening.js';
import { appendToChain, EMPTY_CHAIN, type ChainHead, type EventDraft } from '../audit/chain.js';
import { AuditPublisher } from '../kafka/publisher.js';
import type { Phase } from '../lib/phase-timing.js';
import { registerSchemas } from '../audit/registry-discipline.js';
import { AuditSerializer } from '../audit/serializer.js';
import { newCompositionId } from '../client/coordination-client.js';
import { schemaRegistryEndpoint } from '../config/endpoints.js';
import { benchTopic, prepareBenchTopic, topicMessageCount, truncateBenchTopic } from './lib/bench-topic.js';
import { runUntil } from './lib/pool.js';
import { round, since, summarize, type LatencySummary } from './lib/stats.js';

export interface AppendBenchOptions {
  /** concurrency levels (events in flight), run one after the other */
  levels: number[];
  /** seconds each level runs */
  durationS: number;
  /** seconds of unmeasured publishing first (connection, topic metadata, schema ids, JIT) */
  warmupS?: number;
  topic?: string;
  /** the publisher's batch limit; 1 = one produce request per event (publishing as it was before batching) */
  maxBatchMessages?: number;
  /** sign every event with an emitter key, as the worker does (compare with an unsigned run: the cost of signing) */
  signed?: boolean;
  log?: (line: string) => void;
}

export interface AppendLevelResult {
  concurrency: number;
  events: number;
  elapsed_s: number;
  events_per_s: number;
  ack_latency_ms: LatencySummary;
  /** mean milliseconds per event: build + hash, validate + encode, produce until the ack */
  phase_mean_ms: { build_hash: number; encode: number; produce: number };
  /** messages the topic gained during the level (≥ events: at-least-once) */
  kafka_messages: number;
}

export interface AppendBenchResult {
  benchmark: 'append';
  /** whether each event was signed by an emitter key */
  signed: boolean;
  duration_s: number;
  max_batch_messages: number | 'default';
  levels: AppendLevelResult[];
  /** the best sustained rate over the levels, and the p99 ack latency at that level */
  best: { concurrency: number; events_per_s: number; p99_ack_ms: number };
}

/** The §7b composition's nine events as drafts: chained afresh for every composition a lane opens. */
const TEMPLATE: EventDraft[] = buildVrsExample('cmp_bench_template').map(({ event_id: _e, causal_predecessor: _c, prev_hash: _p, this_hash: _t, ...draft }) => draft as EventDraft);

/** Composition ids of this run: one ULID, then a counter (a ULID each would cost the harness more than a hash). */
const RUN_ID = newCompositionId();
let compositions = 0;
const nextCompositionId = () => `${RUN_ID}_${(compositions += 1)}`;

class Lane {
  private compositionId = nextCompositionId();
  private head: ChainHead = EMPTY_CHAIN;

  /** The next event of this lane's composition, chained; a closed composition makes way for a new one. */
  next(): ReturnType<typeof appendToChain>['event'] {
    if (this.head.sequence === TEMPLATE.length) {
      this.compositionId = nextCompositionId();
      this.head = EMPTY_CHAIN;
    }
    const { event, head } = appendToChain(this.head, { ...TEMPLATE[this.head.sequence]!, composition_id: this.compositionId });
    this.head = head;
    return event;
  }
}

export async function runAppendBench(options: AppendBenchOptions): Promise<AppendBenchResult> {
  const log = options.log ?? (() => undefined);
  const topic = options.topic ?? benchTopic();
  const registryUrl = schemaRegistryEndpoint().address;
  await prepareBenchTopic(topic);
  await registerSchemas({ registryUrl, topic });
  /** milliseconds spent in each phase of the publishes at the current level */
  let phases: Partial<Record<Phase, number>> = {};
  const publisher = new AuditPublisher(new AuditSerializer(registryUrl, topic), topic, {
    clientId: 'coordination-ledger-bench-append',
    phases: { record: (p, ms) => (phases[p] = (phases[p] ?? 0) + ms) },
    ...(options.maxBatchMessages ? { maxBatchMessages: options.maxBatchMessages } : {}),
    ...(options.signed ? { signer: EmitterSigner.ephemeral() } : {}),
  });
  const levels: AppendLevelResult[] = [];
  try {
    const warm = new Lane();
    const warmUntil = performance.now() + (options.warmupS ?? 2) * 1000;
    while (performance.now() < warmUntil) await publisher.publish(warm.next());

    for (const concurrency of options.levels) {
      const lanes = Array.from({ length: concurrency }, () => new Lane());
      const latencies: number[] = [];
      let buildMs = 0;
      phases = {};
      const messagesBefore = await topicMessageCount(topic);
      const t0 = performance.now();
      await runUntil(t0 + options.durationS * 1000, concurrency, async (lane) => {
        const start = performance.now();
        const event = lanes[lane]!.next();
        buildMs += since(start);
        await publisher.publish(event);
        latencies.push(since(start));
      });
      const elapsed = (performance.now() - t0) / 1000;
      const n = latencies.length;
      const level: AppendLevelResult = {
        concurrency,
        events: n,
        elapsed_s: round(elapsed, 2),
        events_per_s: round(n / elapsed, 1),
        ack_latency_ms: summarize(latencies),
        phase_mean_ms: { build_hash: round(buildMs / n, 3), encode: round((phases.audit_encode ?? 0) / n, 3), produce: round((phases.audit_produce ?? 0) / n, 3) },
        kafka_messages: (await topicMessageCount(topic)) - messagesBefore,
      };
      levels.push(level);
      log(`append: concurrency ${concurrency}: ${level.events_per_s} events/s, p99 ack ${level.ack_latency_ms.p99_ms} ms`);
    }
  } finally {
    await publisher.disconnect();
    await truncateBenchTopic(topic).catch((err: unknown) => log(`append: could not truncate ${topic}: ${String(err)}`));
  }
  const best = levels.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a));
  return {
    benchmark: 'append',
    signed: options.signed ?? false,
    duration_s: options.durationS,
    max_batch_messages: options.maxBatchMessages ?? 'default',
    levels,
    best: { concurrency: best.concurrency, events_per_s: best.events_per_s, p99_ack_ms: best.ack_latency_ms.p99_ms },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { levels: { type: 'string', default: '1,4,16,64' }, duration: { type: 'string', default: '30' }, 'max-batch': { type: 'string' }, signed: { type: 'boolean', default: false } },
  });
  const { up } = await import('../infra/stack/stack.js');
  await up();
  const result = await runAppendBench({
    levels: values.levels.split(',').map(Number),
    durationS: Number(values.duration),
    ...(values['max-batch'] ? { maxBatchMessages: Number(values['max-batch']) } : {}),
    signed: values.signed,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
