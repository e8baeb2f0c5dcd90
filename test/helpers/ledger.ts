/** Scratch audit topics, raw producing and throwaway ledger stores for the ledger's integration tests. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { ensureAuditTopic } from '../../kafka/audit-topic.js';
import { createKafka, withAdmin } from '../../kafka/client.js';
import { readToEnd } from '../../kafka/reader.js';
import type { TopicMessage } from '../../ledger/ingest.js';
import { registerSchemas } from '../../audit/registry-discipline.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';

/** A new append-only topic with every event schema registered under its subjects. */
export async function scratchTopic(name: string, partitions?: number): Promise<string> {
  const topic = `it-audit-${name}-${randomUUID().slice(0, 8)}`;
  await withAdmin((admin) => ensureAuditTopic(admin, topic, partitions), 'it-ledger-admin');
  await registerSchemas({ registryUrl: schemaRegistryEndpoint().address, topic });
  return topic;
}

export function scratchLedgerUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'coord-ledger-')), 'ledger.db')}`;
}

/** Message values: events are encoded through the registry like the publisher does; buffers go as they are. */
export async function produce(topic: string, values: readonly (object | Buffer)[]): Promise<void> {
  const serializer = new AuditSerializer(schemaRegistryEndpoint().address, topic);
  const producer = createKafka('it-ledger-producer').producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 500) {
      const messages = await Promise.all(
        values.slice(i, i + 500).map(async (v) => {
          const key = Buffer.isBuffer(v) ? 'raw' : String((v as { composition_id?: unknown }).composition_id);
          return { key, value: Buffer.isBuffer(v) ? v : await serializer.encode(v) };
        }),
      );
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** An event in wire format under an arbitrary registry id (the serializer would refuse to write it). */
export function wireBytes(registryId: number, value: unknown): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(registryId, 1);
  return Buffer.concat([header, Buffer.from(JSON.stringify(value), 'utf8')]);
}

/** Every message of `topic` up to its current end, as the ledger's consumer would receive them. */
export async function rawMessages(topic: string): Promise<TopicMessage[]> {
  let messages: TopicMessage[] = [];
  await readToEnd(topic, (partition, message) => void messages.push({ topic, partition, offset: message.offset, value: message.value }), { restart: () => (messages = []) });
  return messages;
}
