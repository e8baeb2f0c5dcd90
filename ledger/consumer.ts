/**
 * The ledger's Kafka consumer. Each fetched batch is judged and written in one database transaction
 * together with the position to resume from. On start the consumer seeks to the positions the database
 * holds, so the database, not a consumer group, says where ingest resumes: a crash before the database
 * commit re-reads the batch, a crash after it re-reads nothing, and either way no event is lost or doubled.
 *
 * Because the group holds no state worth keeping, each ledger process joins a group of its own (the topic's
 * group prefix plus a per-process id) and commits no offsets. A restarted ledger therefore never waits for
 * its dead predecessor's session to expire (a shared group would hand the partitions over only after the
 * session timeout, 30 s by default): it is assigned every partition at once and resumes within a second or
 * two. One ledger process per store: a second one would ingest everything too (duplicates are no-ops).
 */
import type { EmitterKeyring } from '../audit/emitter-signature.js';
import { pinnedEmitterKeys } from '../kafka/emitter-keys.js';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { createKafka } from '../kafka/client.js';
import { highWatermarks } from '../kafka/reader.js';
import { within } from '../lib/deadline.js';
import { Failpoint } from './failpoint.js';
import { Ingestor, type IngestStats, type TopicMessage } from './ingest.js';
import type { LedgerStore } from './store.js';
import type { MessageDecoder } from './wire.js';

/** The ledger's groups for a topic share this prefix (for ACLs and for finding them); one per process. */
export const ledgerGroupPrefix = (topic: string): string => `coordination-ledger.${topic}.`;
export const ledgerGroup = (topic: string): string => `${ledgerGroupPrefix(topic)}${randomUUID().slice(0, 8)}`;

export interface BatchInfo extends IngestStats {
  topic: string;
  partition: number;
  /** the next offset to read on this partition */
  next_offset: string;
}

export interface LedgerConsumerOptions {
  store: LedgerStore;
  decoder: MessageDecoder;
  topic: string;
  groupId?: string;
  /** crash injection for recovery tests (`before-db-commit:<n>` | `after-db-commit:<n>`); unset in operation */
  failpoint?: string;
  onBatch?: (info: BatchInfo) => void;
  /** the emitter keys events must be signed with; default the pinned set (kafka/emitter-keys.ts) */
  emitters?: EmitterKeyring;
}

export class LedgerConsumer {
  private readonly consumer: Consumer;
  private readonly ingestor: Ingestor;
  private readonly failpoint: Failpoint;
  /** next offset ingested per partition, as far as this process knows */
  readonly reached = new Map<number, bigint>();

  constructor(private readonly opts: LedgerConsumerOptions) {
    this.consumer = createKafka('coordination-ledger-consumer', { principal: 'ledger' }).consumer({
      groupId: opts.groupId ?? ledgerGroup(opts.topic),
      allowAutoTopicCreation: false,
    });
    this.ingestor = new Ingestor(opts.store, opts.decoder, opts.emitters ?? pinnedEmitterKeys());
    this.failpoint = new Failpoint(opts.failpoint);
  }

  async start(): Promise<void> {
    const { store, topic } = this.opts;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        const messages: TopicMessage[] = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, value: m.value, ...(m.headers ? { headers: m.headers } : {}) }));
        this.failpoint.nextBatch();
        const stats = await this.ingestor.ingest(messages, { beforeCommit: () => this.failpoint.hit('before-db-commit') });
        this.failpoint.hit('after-db-commit');
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        resolveOffset(batch.lastOffset());
        this.reached.set(batch.partition, BigInt(next));
        this.opts.onBatch?.({ ...stats, topic: batch.topic, partition: batch.partition, next_offset: next });
        await heartbeat();
      },
    });
    for (const [partition, offset] of await store.positions(topic)) {
      this.consumer.seek({ topic, partition, offset: offset.toString() });
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Partitions where the ledger is behind the topic: how many messages it has not ingested yet. */
export async function ingestLag(store: LedgerStore, topic: string): Promise<{ partitions: Record<number, number>; total: number }> {
  const [high, positions] = await Promise.all([highWatermarks(topic), store.positions(topic)]);
  const partitions: Record<number, number> = {};
  let total = 0;
  for (const [p, h] of high) {
    const behind = Number(h - (positions.get(p) ?? 0n));
    if (behind <= 0) continue;
    partitions[p] = behind;
    total += behind;
  }
  return { partitions, total };
}

/**
 * Ingests up to the topic's current end and stops (for `coord audit status` and tests). Safe while a ledger
 * service runs too: both write the same verdicts, and duplicates are no-ops.
 */
export async function catchUp(opts: Omit<LedgerConsumerOptions, 'groupId'> & { timeoutMs?: number }): Promise<void> {
  const high = await highWatermarks(opts.topic);
  const positions = await opts.store.positions(opts.topic);
  const behind = () => [...high].filter(([p, h]) => h > (positions.get(p) ?? 0n));
  if (behind().length === 0) return;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = new LedgerConsumer({
    ...opts,
    groupId: `${ledgerGroupPrefix(opts.topic)}catchup-${randomUUID().slice(0, 8)}`,
    onBatch: (info) => {
      positions.set(info.partition, BigInt(info.next_offset));
      opts.onBatch?.(info);
      if (behind().length === 0) done();
    },
  });
  await consumer.start();
  try {
    await within(finished, opts.timeoutMs ?? 120_000, `ledger catch-up of ${opts.topic} timed out`);
  } finally {
    await consumer.stop();
  }
}
