/**
 * Publishes audit events: idempotent producer, acks from all in-sync replicas, key = composition_id (one
 * partition per composition keeps its order), headers event_id, schema_id and the emitter's signature
 * (emitter_sig, emitter_kid: audit/emitter-signature.ts), value in Confluent wire format. `publish`
 * resolves only once the broker has acknowledged: nothing is acknowledged upstream before that.
 *
 * The idempotent producer allows one request in flight, so concurrent publishes (a worker's activities)
 * are coalesced: while a produce request is out, the events that arrive wait, and the next request carries
 * all of them (in arrival order, so per-key order holds). Nothing lingers: an idle publisher sends at once.
 *
 * A request that fails has an unknown outcome (the broker may have appended it and lost only its answer):
 * its producer is retired (producer-identity.ts) and its events go back to the front of the queue, to be
 * sent again under a new producer id — a duplicate at worst, never a loss. An event is failed to its caller
 * only after `deliveryTimeoutMs` (the caller's activity then retries it, visibly).
 */
import { Partitioners, type Message, type RecordMetadata } from 'kafkajs';
import type { AuditEvent } from '../schemas/catalog.js';
import type { AuditSerializer } from '../audit/serializer.js';
import { EMITTER_KID_HEADER, EMITTER_SIG_HEADER, type EmitterSigner } from '../audit/emitter-signature.js';
import { NO_PHASE_RECORDER, timed, type PhaseRecorder } from '../lib/phase-timing.js';
import { ensureAuditTopic } from './audit-topic.js';
import { createKafka, withAdmin } from './client.js';
import { ProducerIdentity } from './producer-identity.js';

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
  /** an event not acknowledged after this long is failed to its caller (below the publish activity's 30 s) */
  deliveryTimeoutMs?: number;
  /** how long one produce request may wait for its answer before its outcome counts as unknown */
  requestTimeoutMs?: number;
  /**
   * signs each event (headers emitter_sig, emitter_kid). The worker always gives one; without it events go
   * out unsigned and a ledger quarantines them (`signature_missing`) — only benchmarks measuring the cost
   * of signing leave it out.
   */
  signer?: EmitterSigner;
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
  /** when the caller is told it failed, if it has not been acknowledged by then */
  deadline: number;
  /** the broker refused a request it shared with others: it goes in a request of its own */
  alone?: boolean;
  resolve: (receipt: PublishReceipt) => void;
  reject: (err: unknown) => void;
}

const backoffMs = (failures: number) => Math.min(2_000, 100 * 2 ** Math.min(failures - 1, 5));

export class AuditPublisher {
  private readonly producers: ProducerIdentity;
  private readonly phases: PhaseRecorder;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly deliveryTimeoutMs: number;
  /** the partition the partitioner chose for each message sent: a receipt names its partition and offset */
  private readonly partitionOf = new WeakMap<Message, number>();
  private readonly waiting: Waiting[] = [];
  private sending = false;
  private topicChecked = false;
  private readonly signer: EmitterSigner | undefined;

  constructor(
    private readonly serializer: AuditSerializer,
    private readonly topic: string,
    {
      clientId = 'coordination-ledger-publisher',
      phases = NO_PHASE_RECORDER,
      maxBatchMessages = 500,
      maxBatchBytes = 512 * 1024,
      deliveryTimeoutMs = 25_000,
      requestTimeoutMs = 5_000,
      signer,
    }: AuditPublisherOptions = {},
  ) {
    this.signer = signer;
    this.phases = phases;
    this.maxBatchMessages = maxBatchMessages;
    this.maxBatchBytes = maxBatchBytes;
    this.deliveryTimeoutMs = deliveryTimeoutMs;
    const partitionOf = this.partitionOf;
    const createPartitioner = () => {
      const partitioner = Partitioners.DefaultPartitioner();
      return (args: Parameters<typeof partitioner>[0]) => {
        const partition = partitioner(args);
        partitionOf.set(args.message, partition);
        return partition;
      };
    };
    // kafkajs: idempotence is safe only with one request in flight. Its own retries resend a request with
    // the same sequences (safe); a request that still fails is resent here, under a new producer id.
    this.producers = new ProducerIdentity(
      createKafka(clientId, { principal: 'worker', requestTimeout: requestTimeoutMs }),
      { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } },
      () => this.checkTopic(),
    );
  }

  private async checkTopic(): Promise<void> {
    if (this.topicChecked) return;
    await withAdmin((admin) => ensureAuditTopic(admin, this.topic), { principal: 'worker' });
    this.topicChecked = true;
  }

  async publish(event: AuditEvent): Promise<PublishReceipt> {
    // refuses unknown, unregistered or invalid events
    const value = await timed(this.phases, 'audit_encode', () => this.serializer.encode(event));
    return timed(this.phases, 'audit_produce', async () => {
      return new Promise<PublishReceipt>((resolve, reject) => {
        const signature = this.signer?.sign(event.this_hash);
        const headers = { event_id: event.event_id, schema_id: event.schema_id, ...(signature ? { [EMITTER_SIG_HEADER]: signature.sig, [EMITTER_KID_HEADER]: signature.kid } : {}) };
        const message: Message = { key: event.composition_id, value, headers };
        const bytes = value.length + event.composition_id.length + Object.values(headers).reduce((n, h) => n + h.length, 0);
        this.waiting.push({ message, bytes, deadline: Date.now() + this.deliveryTimeoutMs, resolve, reject });
        if (!this.sending) void this.drain();
      });
    });
  }

  /** Sends what waits, one request at a time, until nothing does; after a failure, waits a little longer each time. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      let failures = 0;
      while (this.waiting.length) {
        if (await this.send(this.nextBatch())) failures = 0;
        else await new Promise((resolve) => setTimeout(resolve, backoffMs((failures += 1))));
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * One produce request. True when it was acknowledged. Otherwise its producer is retired and its events go
   * back to the front of the queue (in order), except those past their deadline, which fail; when the
   * broker refused the records themselves (too large, invalid), each is sent again alone, so one bad event
   * never fails the events that happened to share its request, and a bad event alone fails at once.
   */
  private async send(batch: Waiting[]): Promise<boolean> {
    let producer: Awaited<ReturnType<ProducerIdentity['acquire']>> | undefined;
    try {
      producer = await this.producers.acquire();
      const metadata = await producer.send({ topic: this.topic, acks: -1, messages: batch.map((w) => w.message) });
      const receipts = this.receipts(batch, metadata);
      batch.forEach((w, i) => w.resolve(receipts[i]!));
      return true;
    } catch (err) {
      if (producer) this.producers.retire(producer);
      const refused = refusesRecords(err);
      if (refused && batch.length === 1) {
        batch[0]!.reject(err);
        return true; // a definite answer about this event, not a failure of the path to the broker
      }
      const now = Date.now();
      const again = batch.filter((w) => {
        if (w.deadline > now) return true;
        w.reject(err);
        return false;
      });
      if (refused) again.forEach((w) => (w.alone = true));
      this.waiting.unshift(...again);
      return refused;
    }
  }

  private nextBatch(): Waiting[] {
    if (this.waiting[0]?.alone) return this.waiting.splice(0, 1);
    let bytes = 0;
    let n = 0;
    while (
      n < this.waiting.length &&
      n < this.maxBatchMessages &&
      !this.waiting[n]!.alone &&
      (n === 0 || bytes + this.waiting[n]!.bytes <= this.maxBatchBytes)
    ) {
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

  /** How many producer identities this publisher has used (a new one after every unknown outcome). */
  get producerIdentities(): number {
    return this.producers.identities;
  }

  async disconnect(): Promise<void> {
    await this.producers.close();
  }
}
