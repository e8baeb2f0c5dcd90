/**
 * Throughput bench, no faults. Usage (inside netns kev, broker running): node --import tsx src/bench.ts <client> [levels=1,16,64] [seconds=20]
 * 3-partition topic, keyed ~1 KB values, idempotent acks=all; per level N lanes, each awaiting its ack
 * before sending the next. WARMUP_S unmeasured per level, then `seconds` measured: events/s, ack latency
 * p50/p99, process CPU. After all levels the topic is read whole: acked ids missing, duplicates.
 */
import { writeFileSync } from 'node:fs';
import { errorSignature, makeAdapter } from './adapters.js';
import { createTopic, ensureBroker, readAllIds } from './broker.js';

const client = process.argv[2]!;
const levels = (process.argv[3] ?? '1,16,64').split(',').map(Number);
const seconds = Number(process.argv[4] ?? 20);
const WARMUP_S = 3;
const VALUE_BYTES = 1024;
const pad = 'v'.repeat(VALUE_BYTES);

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : null);
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

async function main() {
  await ensureBroker();
  const topic = `bench-${client}-${Date.now()}`;
  await createTopic(topic, 3);
  const adapter = await makeAdapter(client, { brokers: ['127.0.0.1:9092'], requestTimeoutMs: 5_000, deliveryTimeoutMs: 25_000 });
  await adapter.connect();
  const acked = new Set<string>();
  const errors = new Map<string, number>();
  const results = [];
  let seq = 0;
  for (const level of levels) {
    let measuring = false;
    let stop = false;
    const lat: number[] = [];
    let events = 0;
    const lane = async (i: number) => {
      while (!stop) {
        const id = `${level}-${i}-${(seq += 1)}`;
        const value = Buffer.from(`${id}|${pad}`.slice(0, VALUE_BYTES));
        const key = `key-${i}-${seq % 97}`;
        for (;;) {
          const start = process.hrtime.bigint();
          const counted = measuring;
          try {
            await adapter.send(topic, key, value);
            acked.add(id);
            if (counted && measuring) {
              lat.push(Number(process.hrtime.bigint() - start) / 1e6);
              events += 1;
            }
            break;
          } catch (err) {
            const sig = errorSignature(err);
            errors.set(sig, (errors.get(sig) ?? 0) + 1);
            if (stop) break;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    };
    const lanes = Array.from({ length: level }, (_, i) => lane(i));
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    measuring = true;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    measuring = false;
    const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    stop = true;
    await Promise.all(lanes);
    lat.sort((a, b) => a - b);
    const row = {
      level,
      events,
      eventsPerS: r2(events / elapsedS),
      p50Ms: r2(pct(lat, 50)),
      p99Ms: r2(pct(lat, 99)),
      maxMs: r2(lat.length ? lat[lat.length - 1]! : null),
      cpuS: r2((cpu.user + cpu.system) / 1e6),
      cpuMsPer1kEvents: r2(events ? ((cpu.user + cpu.system) / 1e3 / events) * 1000 : null),
    };
    console.error(JSON.stringify(row));
    results.push(row);
  }
  const info = adapter.info();
  await adapter.close().catch(() => undefined);
  const { counts, records } = await readAllIds(topic, 300_000);
  const missing = [...acked].filter((id) => !counts.has(id));
  const dups = [...counts.values()].filter((c) => c > 1).length;
  const out = {
    client,
    topic,
    config: { partitions: 3, valueBytes: VALUE_BYTES, warmupS: WARMUP_S, seconds, levels, env: { CONFLUENT_LINGER_MS: process.env.CONFLUENT_LINGER_MS ?? null } },
    levels: results,
    verify: { acked: acked.size, recordsInTopic: records, ackedMissingFromTopic: missing.length, missingSample: missing.slice(0, 5), duplicateIds: dups },
    errors: Object.fromEntries(errors),
    clientInfo: info,
  };
  const suffix = process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : '';
  writeFileSync(`/work/eval/results/bench-${client}${suffix}.json`, JSON.stringify(out, null, 2));
  console.log(JSON.stringify(out, null, 2));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
