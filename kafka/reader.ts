/**
 * Reads a topic back from the beginning up to its high watermark at the time of the call (a bounded read,
 * for `coord audit pull`, the demo and tests). Identical duplicates are kept: the stream is what the topic
 * holds, and verification ignores them.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { DeadlineError, within } from '../lib/deadline.js';
import type { AuditEvent } from '../schemas/catalog.js';
import type { AuditSerializer } from '../audit/serializer.js';
import { LEDGER_GROUP_PREFIX } from './acls.js';
import { createKafka, withAdmin } from './client.js';

export interface ReadOptions {
  topic: string;
  serializer: AuditSerializer;
  /** only this composition's events (by message key) */
  compositionId?: string;
  timeoutMs?: number;
}

/** The topic's high watermark per partition (the offset after its last message). */
export async function highWatermarks(topic: string): Promise<Map<number, bigint>> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic), { principal: 'ledger' });
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/**
 * Every message of `topic` up to its current end, handed to `onMessage` in partition order. Right after a
 * broker restart the group coordinator can stay unavailable for a while, and kafkajs then neither delivers
 * nor gives up: each attempt is bounded, its consumer abandoned if it will not even disconnect, and the read
 * tried again with a fresh group (`onMessage` sees a partition again from its start: `restart` says so).
 */
export async function readToEnd(
  topic: string,
  onMessage: (partition: number, message: KafkaMessage) => Promise<void> | void,
  opts: { timeoutMs?: number; attempts?: number; restart?: () => void } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(topic, onMessage, opts.timeoutMs ?? 60_000);
    } catch (err) {
      if (!(err instanceof DeadlineError) || attempt >= attempts) throw err;
      opts.restart?.();
    }
  }
}

async function readOnce(topic: string, onMessage: (partition: number, message: KafkaMessage) => Promise<void> | void, timeoutMs: number): Promise<void> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic), { principal: 'ledger' });
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  // a partition whose records were all deleted (low = high, e.g. a truncated bench topic) has nothing to wait for
  const pending = new Set(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => o.partition));
  if (pending.size === 0) return;
  const consumer = createKafka('coordination-ledger-reader', { principal: 'ledger' }).consumer({ groupId: `${LEDGER_GROUP_PREFIX}-reader-${randomUUID()}` });
  const read = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (!pending.has(partition)) return;
            await onMessage(partition, message);
            if (BigInt(message.offset) + 1n >= ends.get(partition)!) pending.delete(partition);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  };
  try {
    await within(read(), timeoutMs, `reading ${topic} timed out`);
  } finally {
    await within(consumer.disconnect(), 10_000, 'disconnect timed out').catch(() => undefined);
  }
}

export async function readAuditEvents(opts: ReadOptions): Promise<AuditEvent[]> {
  let byPartition = new Map<number, AuditEvent[]>();
  await readToEnd(
    opts.topic,
    async (partition, message) => {
      if (!message.value || (opts.compositionId && message.key?.toString() !== opts.compositionId)) return;
      const events = byPartition.get(partition) ?? [];
      events.push(await opts.serializer.decode(message.value));
      byPartition.set(partition, events);
    },
    { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), restart: () => (byPartition = new Map()) },
  );
  // A composition lives on one partition, in its order there; partitions are concatenated in turn.
  return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p)!);
}
