/** Scratch audit topics, raw producing and throwaway ledger stores for the ledger's integration tests. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { auditTopicGrants, grantAcls } from '../../kafka/acls.js';
import { ensureAuditTopic } from '../../kafka/audit-topic.js';
import { createKafka, withAdmin } from '../../kafka/client.js';
import { readKafkaCredentials } from '../../config/kafka-credentials.js';
import { readToEnd } from '../../kafka/reader.js';
import { loadEmitterSigner } from '../../kafka/emitter-keys.js';
import { EMITTER_KID_HEADER, EMITTER_SIG_HEADER, type EmitterSigner } from '../../audit/emitter-signature.js';
import type { TopicMessage } from '../../ledger/ingest.js';
import { registerSchemas } from '../../audit/registry-discipline.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';

/**
 * A new append-only topic with every event schema registered under its subjects; the worker may write it and
 * the ledger read it, as on the audit topic.
 */
export async function scratchTopic(name: string, partitions?: number): Promise<string> {
  const topic = `it-audit-${name}-${randomUUID().slice(0, 8)}`;
  await withAdmin(
    async (admin) => {
      await ensureAuditTopic(admin, topic, partitions);
      await grantAcls(admin, auditTopicGrants(topic), readKafkaCredentials());
    },
    { principal: 'admin', clientId: 'it-ledger-admin' },
  );
  await registerSchemas({ registryUrl: schemaRegistryEndpoint().address, topic });
  return topic;
}

export function scratchLedgerUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'coord-ledger-')), 'ledger.db')}`;
}

/**
 * Message values: events are encoded through the registry like the publisher does, signed with the emitter
 * key (as the worker signs them; `signer: null` sends them unsigned, or give another signer), and sent as the
 * worker; buffers go as they are, unsigned.
 */
export async function produce(topic: string, values: readonly (object | Buffer)[], opts: { signer?: EmitterSigner | null } = {}): Promise<void> {
  const signer = opts.signer === undefined ? loadEmitterSigner() : opts.signer;
  const serializer = new AuditSerializer(schemaRegistryEndpoint().address, topic);
  const producer = createKafka('it-ledger-producer', { principal: 'worker' }).producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 500) {
      const messages = await Promise.all(
        values.slice(i, i + 500).map(async (v) => {
          if (Buffer.isBuffer(v)) return { key: 'raw', value: v };
          const { composition_id, this_hash } = v as { composition_id?: unknown; this_hash?: unknown };
          const signature = signer?.sign(String(this_hash));
          const headers = signature ? { [EMITTER_SIG_HEADER]: signature.sig, [EMITTER_KID_HEADER]: signature.kid } : {};
          return { key: String(composition_id), value: await serializer.encode(v), headers };
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
  await readToEnd(topic, (partition, message) => void messages.push({ topic, partition, offset: message.offset, value: message.value, ...(message.headers ? { headers: message.headers } : {}) }), { restart: () => (messages = []) });
  return messages;
}
