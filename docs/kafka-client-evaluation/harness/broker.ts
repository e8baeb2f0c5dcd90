/** Our own single-node KRaft Kafka (project's cached 4.4.0 jars), run inside netns `kev`. Started detached; pid in kafka/broker.pid. */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

const DIR = '/work/eval/kafka';
const PID_FILE = `${DIR}/broker.pid`;

export function brokerPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export function startBroker(): number {
  const out = openSync(`${DIR}/broker.log`, 'a');
  const child = spawn(`${DIR}/java.sh`, ['kafka.Kafka', `${DIR}/server.properties`], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  writeFileSync(PID_FILE, String(child.pid));
  return child.pid!;
}

export function killBroker(pid: number): void {
  process.kill(pid, 'SIGKILL');
}

export function adminKafka(): Kafka {
  return new Kafka({ clientId: 'eval-admin', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING, connectionTimeout: 1_500, requestTimeout: 5_000, retry: { retries: 0 } });
}

/** Resolves when the broker answers metadata and the group coordinator is reachable. */
export async function waitBrokerReady(timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = adminKafka().admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      await admin.describeGroups(['eval-health']);
      if (brokers.length > 0) return;
    } catch {
      /* not yet */
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error('broker not ready');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function ensureBroker(): Promise<number> {
  let pid = brokerPid();
  if (!pid) pid = startBroker();
  await waitBrokerReady();
  return pid;
}

export async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = adminKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

/** Reads the whole topic (direct PLAINTEXT listener); returns the number of records per id (value prefix up to '|'). */
export async function readAllIds(topic: string, timeoutMs = 120_000): Promise<{ counts: Map<string, number>; records: number; highWatermarks: Record<number, string> }> {
  const kafka = new Kafka({ clientId: 'eval-reader', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING, requestTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const target = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const highWatermarks = Object.fromEntries(offsets.map((o) => [o.partition, o.high]));
  const done = new Map<number, boolean>();
  for (const [p, h] of target) done.set(p, h === 0n);
  const counts = new Map<string, number>();
  let records = 0;
  if ([...done.values()].every(Boolean)) return { counts, records, highWatermarks };
  const consumer = kafka.consumer({ groupId: `eval-reader-${Date.now()}-${Math.random()}`, maxBytes: 50 * 1024 * 1024, maxBytesPerPartition: 10 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('read timeout')), timeoutMs);
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const v = m.value!.toString('latin1', 0, 64);
          const id = v.slice(0, v.indexOf('|'));
          counts.set(id, (counts.get(id) ?? 0) + 1);
          records += 1;
          if (BigInt(m.offset) + 1n >= target.get(batch.partition)!) done.set(batch.partition, true);
        }
        if ([...done.values()].every(Boolean)) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return { counts, records, highWatermarks };
}
