// Proves the local broker authenticates every client (SASL SCRAM-SHA-512) and authorizes it with ACLs:
// only the worker writes the audit topic; the ledger reads it in its consumer groups (the worker reads it back
// only in its own probe groups, after a lost workflow task: kafka/find-published.ts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin, type KafkaConfig, type LogEntry } from 'kafkajs';
import { auditTopic, kafkaBrokers } from '../../config/endpoints.js';
import { kafkaCredential, readKafkaCredentials } from '../../config/kafka-credentials.js';
import { LEDGER_GROUP_PREFIX, auditTopicGrants, grantAcls } from '../../kafka/acls.js';
import { createKafka } from '../../kafka/client.js';
import { stackReady } from '../helpers/stack.js';

const quick: Partial<KafkaConfig> = { logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 5_000, retry: { retries: 0 } };
let admin: Admin;
/** a topic of this file's own, with the audit topic's grants */
let topic: string;

before(async () => {
  await stackReady();
  admin = createKafka('it-acls-admin', { principal: 'admin', logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  topic = `it-acls-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
  await grantAcls(admin, auditTopicGrants(topic), readKafkaCredentials());
});
after(async () => {
  await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin?.disconnect();
});

/** The error's chain of causes, outermost first. */
function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) chain.push(e);
  return chain;
}

test('an anonymous client (no SASL) cannot produce to the audit topic: the broker closes its connection', async () => {
  const producer = new Kafka({ clientId: 'it-acls-anonymous', brokers: kafkaBrokers(), ...quick }).producer();
  await assert.rejects(
    async () => {
      await producer.connect();
      await producer.send({ topic: auditTopic(), acks: -1, messages: [{ value: 'anonymous' }] });
    },
    (err: Error) => {
      assert.ok(causes(err).some((e) => e.name === 'KafkaJSConnectionClosedError'), `${err.name}: ${err.message}`);
      return true;
    },
  );
  await producer.disconnect();
});

test('the ledger principal cannot produce to the audit topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
  const producer = createKafka('it-acls-ledger-producer', { principal: 'ledger', ...quick }).producer();
  await producer.connect();
  try {
    await assert.rejects(producer.send({ topic: auditTopic(), acks: -1, messages: [{ value: 'from the ledger' }] }), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 });
  } finally {
    await producer.disconnect();
  }
});

test('a wrong password is refused (SASL authentication failed)', async () => {
  const { username } = kafkaCredential('worker');
  const producer = new Kafka({ clientId: 'it-acls-wrong-password', brokers: kafkaBrokers(), sasl: { mechanism: 'scram-sha-512', username, password: 'not-the-password' }, ...quick }).producer();
  await assert.rejects(producer.connect(), { name: 'KafkaJSSASLAuthenticationError', message: /invalid credentials with SASL mechanism SCRAM-SHA-512/ });
});

test('the worker principal produces (idempotent, acks=all) and the ledger principal consumes in its group', async () => {
  const producer = createKafka('it-acls-worker', { principal: 'worker', logLevel: logLevel.ERROR }).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const sent = ['one', 'two', 'three'];
  try {
    for (const value of sent) await producer.send({ topic, acks: -1, messages: [{ key: 'cmp_acl', value }] });
  } finally {
    await producer.disconnect();
  }

  const consumer = createKafka('it-acls-ledger', { principal: 'ledger', logLevel: logLevel.ERROR }).consumer({ groupId: `${LEDGER_GROUP_PREFIX}-acls-${randomUUID().slice(0, 8)}` });
  await consumer.connect();
  const received: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message.value!.toString());
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(received, sent);
});

test("the worker principal cannot read the audit topic in the ledger's consumer groups (GROUP_AUTHORIZATION_FAILED)", async () => {
  // kafkajs reports a refused FindCoordinator only as "coordinator not found"; the broker's reason is in its debug log
  const refusals: LogEntry[] = [];
  const consumer = createKafka('it-acls-worker-reader', {
    principal: 'worker',
    ...quick,
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => void ((entry.log as { error?: { type?: string } }).error?.type === 'GROUP_AUTHORIZATION_FAILED' && refusals.push(entry)),
  }).consumer({ groupId: `${LEDGER_GROUP_PREFIX}-worker-${randomUUID().slice(0, 8)}`, retry: { retries: 0 } });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: auditTopic(), fromBeginning: true });
    await assert.rejects(
      new Promise<void>((_, reject) => {
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
        consumer.run({ eachMessage: async () => assert.fail('the worker read a message') }).catch(reject);
      }),
      { name: 'KafkaJSGroupCoordinatorNotFound' },
    );
  } finally {
    await consumer.disconnect();
  }
  assert.ok(refusals.length > 0, 'the broker answered GROUP_AUTHORIZATION_FAILED');
});
