// Proves the local Kafka broker is real: an idempotent kafkajs producer round-trips to a consumer, in order per key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { createKafka } from '../../kafka/client.js';
import { stackReady } from '../helpers/stack.js';

let kafka: Kafka;
let admin: Admin;

before(async () => {
  await stackReady();
  // the admin principal (a super user) may create the throwaway topic and group; kafka-acls.test.ts tests the others
  kafka = createKafka('smoke-test', { principal: 'admin', logLevel: logLevel.ERROR });
  admin = kafka.admin();
  await admin.connect();
});
after(async () => admin?.disconnect());

test('idempotent producer → consumer round-trip keeps per-key order across partitions', async () => {
  const topic = `smoke-${randomUUID()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const keys = ['cmp_a', 'cmp_b', 'cmp_c'];
  const sent = Array.from({ length: 60 }, (_, i) => ({ key: keys[i % 3]!, value: String(i), headers: { event_id: `evt_${i}` } }));
  for (const message of sent) await producer.send({ topic, acks: -1, messages: [message] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: { key: string; value: string; eventId: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), value: message.value!.toString(), eventId: message.headers!.event_id!.toString() });
          if (received.length === sent.length) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();

  assert.equal(received.length, sent.length);
  for (const key of keys) {
    const expected = sent.filter((m) => m.key === key).map((m) => m.value);
    assert.deepEqual(received.filter((m) => m.key === key).map((m) => m.value), expected, `order for ${key}`);
  }
  assert.ok(received.every((m) => m.eventId === `evt_${m.value}`), 'headers travel with their message');
});
