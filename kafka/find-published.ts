/**
 * Finds an audit event already in the topic by its id: the read-back that makes a re-run transition adopt
 * what a lost attempt published instead of publishing a second, different event under the same id
 * (activities/lost-attempt.ts). Reads every partition from the first offset at or after `sinceMs` up to its
 * end at the time of the call, in a throwaway consumer group; rare and bounded by how long ago `sinceMs` is.
 */
import { randomUUID } from 'node:crypto';
import type { AuditSerializer } from '../audit/serializer.js';
import { within } from '../lib/deadline.js';
import type { AuditEvent } from '../schemas/catalog.js';
import { WORKER_PROBE_GROUP_PREFIX } from './acls.js';
import { createKafka, withAdmin } from './client.js';

export interface FindPublishedOptions {
  topic: string;
  compositionId: string;
  eventId: string;
  /** no copy of the event can be older than this (ms since the epoch) */
  sinceMs: number;
  serializer: AuditSerializer;
  timeoutMs?: number;
}

export interface FoundEvent {
  event: AuditEvent;
  topic: string;
  partition: number;
  offset: string;
}

/** Every copy of the event in the topic (identical copies after at-least-once), in partition order. */
export async function findPublished(opts: FindPublishedOptions): Promise<FoundEvent[]> {
  const [starts, ends] = await withAdmin(
    async (admin) => [await admin.fetchTopicOffsetsByTimestamp(opts.topic, opts.sinceMs), await admin.fetchTopicOffsets(opts.topic)] as const,
    { principal: 'worker', clientId: 'coordination-worker-probe' },
  );
  const endOf = new Map(ends.map((o) => [o.partition, BigInt(o.high)]));
  const ranges = starts.map((s) => ({ partition: s.partition, from: BigInt(s.offset), to: endOf.get(s.partition) ?? 0n })).filter((r) => r.from >= 0n && r.from < r.to);
  if (ranges.length === 0) return [];

  const found: FoundEvent[] = [];
  const pending = new Set(ranges.map((r) => r.partition));
  const consumer = createKafka('coordination-worker-probe', { principal: 'worker' }).consumer({ groupId: `${WORKER_PROBE_GROUP_PREFIX}-${randomUUID()}` });
  const read = async () => {
    await consumer.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const range = ranges.find((r) => r.partition === partition);
            if (!range || !pending.has(partition) || BigInt(message.offset) < range.from) return;
            const matches = message.key?.toString() === opts.compositionId && message.headers?.event_id?.toString() === opts.eventId;
            if (matches && message.value) found.push({ event: await opts.serializer.decode(message.value), topic: opts.topic, partition, offset: message.offset });
            if (BigInt(message.offset) + 1n >= range.to) pending.delete(partition);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
      // start each partition at its first candidate offset rather than at the beginning of the topic
      for (const r of ranges) consumer.seek({ topic: opts.topic, partition: r.partition, offset: r.from.toString() });
    });
  };
  try {
    await within(read(), opts.timeoutMs ?? 60_000, `reading ${opts.topic} back timed out`);
  } finally {
    await within(consumer.disconnect(), 10_000, 'disconnect timed out').catch(() => undefined);
  }
  return found;
}
