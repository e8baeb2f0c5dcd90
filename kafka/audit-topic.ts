/**
 * The audit topic is append-only (ARCHITECTURE §5): delete policy (never compacted), unlimited retention.
 * Created with those settings if missing; an existing topic that would compact or expire events is refused.
 */
import type { Admin } from 'kafkajs';

export const AUDIT_TOPIC_CONFIG = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
} as const;

export async function ensureAuditTopic(admin: Admin, topic: string, partitions = 6): Promise<void> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(AUDIT_TOPIC_CONFIG).map(([name, value]) => ({ name, value })) }],
    });
    return;
  }
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2 /* TOPIC */, name: topic }] });
  const configs = new Map(resources[0]?.configEntries.map((c) => [c.configName, c.configValue]) ?? []);
  const wrong = Object.entries(AUDIT_TOPIC_CONFIG).filter(([name, value]) => configs.get(name) !== value);
  if (wrong.length) {
    throw new Error(`audit topic ${topic} is not append-only: ${wrong.map(([n, v]) => `${n}=${configs.get(n)} (want ${v})`).join(', ')}`);
  }
}
