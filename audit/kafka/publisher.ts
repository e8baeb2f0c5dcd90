/**
 * Publishes audit events: idempotent producer, acks from all in-sync replicas, key = composition_id (one
 * partition per composition keeps its order), header event_id, value in Confluent wire format. `publish`
 * resolves only once the broker has acknowledged: nothing is acknowledged upstream before that.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { AuditSerializer } from '../serializer.js';
import { ensureAuditTopic } from './audit-topic.js';
import { createKafka } from './client.js';

export interface PublishReceipt {
  topic: string;
  partition: number;
  offset: string;
}

export class AuditPublisher {
  private readonly producer: Producer;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly serializer: AuditSerializer,
    private readonly topic: string,
    clientId = 'coordination-ledger-publisher',
  ) {
    // kafkajs: idempotence is safe only with one request in flight
    this.producer = createKafka(clientId).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  private connect(): Promise<void> {
    this.ready ??= (async () => {
      await this.producer.connect();
      const admin = createKafka('coordination-ledger-admin').admin();
      await admin.connect();
      try {
        await ensureAuditTopic(admin, this.topic);
      } finally {
        await admin.disconnect();
      }
    })().catch((err: unknown) => {
      this.ready = undefined; // try again on the next publish
      throw err;
    });
    return this.ready;
  }

  async publish(event: AuditEvent): Promise<PublishReceipt> {
    const value = await this.serializer.encode(event); // refuses unknown, unregistered or invalid events
    await this.connect();
    const [meta] = await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: event.composition_id, value, headers: { event_id: event.event_id, schema_id: event.schema_id } }],
    });
    return { topic: this.topic, partition: meta!.partition, offset: meta!.baseOffset ?? meta!.offset ?? '-1' };
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
