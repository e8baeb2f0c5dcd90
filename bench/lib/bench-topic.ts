/**
 * The benchmarks publish to a topic of their own (never the audit topic): counting what a run produced
 * stays exact while others use the stack, and a run's events can be dropped afterwards. The topic is
 * append-only like the audit topic (ensureAuditTopic accepts it) but rolls small segments, so truncating it
 * really frees the disk.
 */
import { AUDIT_TOPIC_CONFIG } from '../../kafka/audit-topic.js';
import { withAdmin } from '../../kafka/client.js';
import { DEFAULT_AUDIT_TOPIC, auditTopic } from '../../config/endpoints.js';
import { config } from '../../config/index.js';
import { SETTINGS } from '../../config/settings.js';

export const DEFAULT_BENCH_TOPIC: string = SETTINGS.COORD_BENCH_TOPIC.fallback!;

export function benchTopic(): string {
  return config().COORD_BENCH_TOPIC;
}

function assertBenchTopic(topic: string): void {
  if (topic === DEFAULT_AUDIT_TOPIC || topic === auditTopic() || !topic.includes('bench')) {
    throw new Error(`refusing to use ${topic} as a benchmark topic: the name must contain "bench" and not be the audit topic`);
  }
}

/** Creates the benchmark topic if it is missing (6 partitions, like the audit topic; 16 MB segments). */
export async function prepareBenchTopic(topic: string): Promise<void> {
  assertBenchTopic(topic);
  await withAdmin(
    async (admin) => {
      if ((await admin.listTopics()).includes(topic)) return;
      const configEntries = [...Object.entries(AUDIT_TOPIC_CONFIG), ['segment.bytes', String(16 * 1024 * 1024)]].map(([name, value]) => ({ name: name!, value: value! }));
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, configEntries }] });
    },
    { principal: 'admin' },
  );
}

/** How many messages the topic holds: the sum of its partitions' high watermarks (a delta counts what a run produced). */
export async function topicMessageCount(topic: string): Promise<number> {
  return withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0), { principal: 'admin' });
}

/** Drops every message the benchmark topic holds (offsets keep counting up). */
export async function truncateBenchTopic(topic: string): Promise<void> {
  assertBenchTopic(topic);
  await withAdmin(
    async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const partitions = offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => ({ partition: o.partition, offset: o.high }));
      if (partitions.length) await admin.deleteTopicRecords({ topic, partitions });
    },
    { principal: 'admin' },
  );
}
