/**
 * Reads audit events back from the topic, from the beginning up to the high watermark at the time of the
 * call (a bounded read, for `coord audit pull`, the demo and tests). Identical duplicates are kept: the
 * stream is what the topic holds, and verification ignores them.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { AuditSerializer } from '../serializer.js';
import { createKafka } from './client.js';

export interface ReadOptions {
  topic: string;
  serializer: AuditSerializer;
  /** only this composition's events (by message key) */
  compositionId?: string;
  timeoutMs?: number;
}

/** Rejects when `promise` has not settled after `ms`; the timer does not keep the process alive. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadTimeout(what)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class ReadTimeout extends Error {
  override name = 'ReadTimeout';
}

/**
 * Right after a broker restart the group coordinator can stay unavailable for a while, and kafkajs then
 * neither delivers nor gives up: each attempt is bounded, its consumer abandoned if it will not even
 * disconnect, and the read tried again with a fresh group.
 */
export async function readAuditEvents(opts: ReadOptions): Promise<AuditEvent[]> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(opts);
    } catch (err) {
      if (!(err instanceof ReadTimeout) || attempt >= attempts) throw err;
    }
  }
}

async function readOnce(opts: ReadOptions): Promise<AuditEvent[]> {
  const kafka = createKafka('coordination-ledger-reader');
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(opts.topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const byPartition = new Map<number, AuditEvent[]>();
  if (pending.size === 0) return [];

  const consumer = kafka.consumer({ groupId: `coordination-ledger-reader-${randomUUID()}` });
  const read = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (!pending.has(partition)) return;
            const key = message.key?.toString();
            if (message.value && (!opts.compositionId || key === opts.compositionId)) {
              const events = byPartition.get(partition) ?? [];
              events.push(await opts.serializer.decode(message.value));
              byPartition.set(partition, events);
            }
            if (BigInt(message.offset) + 1n >= ends.get(partition)!) pending.delete(partition);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  };
  try {
    await within(read(), opts.timeoutMs ?? 60_000, `reading ${opts.topic} timed out`);
  } finally {
    await within(consumer.disconnect(), 10_000, 'disconnect timed out').catch(() => undefined);
  }
  // A composition lives on one partition, in its order there; partitions are concatenated in turn.
  return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p)!);
}
