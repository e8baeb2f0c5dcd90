/**
 * Publishes audit events: idempotent producer, acks from all in-sync replicas, key = composition_id (one
 * partition per composition keeps its order), header event_id, value in Confluent wire format. `publish`
 * resolves only once the broker has acknowledged: nothing is acknowledged upstream before that.
 *
 * The idempotent producer allows one request in flight, so concurrent publishes (a worker's activities)
 * are coalesced: while a produce request is out, the events that arrive wait, and the next request carries
 * all of them (in arrival order, so per-key order holds). Nothing lingers: an idle publisher sends at once.
 */
import { Partitioners, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { AuditSerializer } from '../serializer.js';
import { NO_PHASE_RECORDER, timed, type PhaseRecorder } from '../../infra/phase-timing.js';
import { ensureAuditTopic } from './audit-topic.js';
import { createKafka, withAdmin } from './client.js';

export interface PublishReceipt {
  topic: string;
  partition: number;
  offset: string;
}

export interface AuditPublisherOptions {
  clientId?: string;
  /** told how long each half of each publish took: audit_encode (validate + registry-encode), audit_produce (to the broker's ack) */
  phases?: PhaseRecorder;
  /** at most this many events in one produce request */
  maxBatchMessages?: number;
  /** and at most about this many bytes (the broker's default message.max.bytes is 1 MiB) */
  maxBatchBytes?: number;
}

/** Broker errors about the records in a request (not about the broker, the network or the producer). */
const RECORD_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

function refusesRecords(err: unknown): boolean {
  for (let e = err as { name?: unknown; type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth += 1) {
    if (e.name === 'KafkaJSProtocolError' && typeof e.type === 'string' && RECORD_REFUSALS.has(e.type)) return true;
  }
  return false;
}

interface Waiting {
  message: Message;
  bytes: number;
  resolve: (receipt: PublishReceipt) => void;
  reject: (err: unknown) => void;
}

export class AuditPublisher {
  private readonly producer: Producer;
  private ready: Promise<void> | undefined;
  private readonly phases: PhaseRecorder;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  /** the partition the partitioner chose for each message sent: a receipt names its partition and offset */
  private readonly partitionOf = new WeakMap<Message, number>();
  private readonly waiting: Waiting[] = [];
  private sending = false;

  constructor(
    private readonly serializer: AuditSerializer,
    private readonly topic: string,
    { clientId = 'coordination-ledger-publisher', phases = NO_PHASE_RECORDER, maxBatchMessages = 500, maxBatchBytes = 512 * 1024 }: AuditPublisherOptions = {},
  ) {
    this.phases = phases;
    this.maxBatchMessages = maxBatchMessages;
    this.maxBatchBytes = maxBatchBytes;
    const partitionOf = this.partitionOf;
    const createPartitioner = () => {
      const partitioner = Partitioners.DefaultPartitioner();
      return (args: Parameters<typeof partitioner>[0]) => {
        const partition = partitioner(args);
        partitionOf.set(args.message, partition);
        return partition;
      };
    };
    // kafkajs: idempotence is safe only with one request in flight
    this.producer = createKafka(clientId).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner });
  }

  private connect(): Promise<void> {
    this.ready ??= (async () => {
      await this.producer.connect();
      await withAdmin((admin) => ensureAuditTopic(admin, this.topic));
    })().catch((err: unknown) => {
      this.ready = undefined; // try again on the next publish
      throw err;
    });
    return this.ready;
  }

  async publish(event: AuditEvent): Promise<PublishReceipt> {
    // refuses unknown, unregistered or invalid events
    const value = await timed(this.phases, 'audit_encode', () => this.serializer.encode(event));
    return timed(this.phases, 'audit_produce', async () => {
      await this.connect();
      return new Promise<PublishReceipt>((resolve, reject) => {
        const message: Message = { key: event.composition_id, value, headers: { event_id: event.event_id, schema_id: event.schema_id } };
        this.waiting.push({ message, bytes: value.length + event.composition_id.length + event.event_id.length + event.schema_id.length, resolve, reject });
        if (!this.sending) void this.drain();
      });
    });
  }

  /** Sends what waits, one request at a time, until nothing does. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length) await this.send(this.nextBatch());
    } finally {
      this.sending = false;
    }
  }

  /**
   * One produce request; a failure fails each of its events (their activities retry). When the broker
   * refuses the records themselves (too large, invalid), the events are sent again one by one, so one bad
   * event never fails the events that happened to share its request.
   */
  private async send(batch: Waiting[]): Promise<void> {
    try {
      const metadata = await this.producer.send({ topic: this.topic, acks: -1, messages: batch.map((w) => w.message) });
      const receipts = this.receipts(batch, metadata);
      batch.forEach((w, i) => w.resolve(receipts[i]!));
    } catch (err) {
      if (batch.length > 1 && refusesRecords(err)) {
        for (const w of batch) await this.send([w]);
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }

  private nextBatch(): Waiting[] {
    let bytes = 0;
    let n = 0;
    while (n < this.waiting.length && n < this.maxBatchMessages && (n === 0 || bytes + this.waiting[n]!.bytes <= this.maxBatchBytes)) {
      bytes += this.waiting[n]!.bytes;
      n += 1;
    }
    return this.waiting.splice(0, n);
  }

  /** Each message's offset: its partition's base offset plus its place among the batch's messages to that partition. */
  private receipts(batch: readonly Waiting[], metadata: RecordMetadata[]): PublishReceipt[] {
    const base = new Map(metadata.map((m) => [m.partition, m.baseOffset ?? m.offset]));
    const seen = new Map<number, number>();
    return batch.map(({ message }) => {
      const partition = this.partitionOf.get(message) ?? metadata[0]?.partition ?? -1;
      const index = seen.get(partition) ?? 0;
      seen.set(partition, index + 1);
      const first = base.get(partition);
      return { topic: this.topic, partition, offset: first === undefined ? '-1' : String(BigInt(first) + BigInt(index)) };
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
