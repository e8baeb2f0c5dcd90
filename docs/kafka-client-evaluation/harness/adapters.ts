/**
 * One interface over the clients under test: send(topic, key, value) resolves when the broker acknowledged
 * (acks=all, idempotent), rejects when the client gives up on that send.
 *  - kafkajs-plain: kafkajs 2.2.4, one idempotent producer for life, concurrent producer.send calls (control).
 *  - kafkajs-fixed: kafkajs 2.2.4 with the project's fix, minimal equivalent of audit/kafka/publisher.ts +
 *    producer-identity.ts: concurrent sends are coalesced into one request at a time; after any failed
 *    request the producer is retired (disconnected) and the batch is resent first, on a new producer (new
 *    producer id); a message is failed to its caller after deliveryTimeoutMs.
 *  - platformatic: @platformatic/kafka 1.35.0 Producer, idempotent, one for life, concurrent send calls.
 *  - confluent: @confluentinc/kafka-javascript 1.10.1 KafkaJS-compatible API (librdkafka 2.15.1), one for life.
 */
import { createRequire } from 'node:module';
import { Kafka, logLevel, type Message, type Producer as KjsProducer } from 'kafkajs';

export interface ClientAdapter {
  name: string;
  connect(): Promise<void>;
  send(topic: string, key: string, value: Buffer): Promise<void>;
  close(): Promise<void>;
  info(): Record<string, unknown>;
}

export interface AdapterOptions {
  brokers: string[];
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
}

const KJS_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 }; // as the project's publisher

function kjs(opts: AdapterOptions, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: opts.brokers, logLevel: logLevel.NOTHING, requestTimeout: opts.requestTimeoutMs, connectionTimeout: 1_000 });
}

export function kafkajsPlain(opts: AdapterOptions): ClientAdapter {
  const producer = kjs(opts, 'eval-kafkajs-plain').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KJS_RETRY });
  return {
    name: 'kafkajs-plain',
    connect: () => producer.connect(),
    async send(topic, key, value) {
      await producer.send({ topic, acks: -1, messages: [{ key, value }] });
    },
    close: () => producer.disconnect(),
    info: () => ({ producerIds: 1 }),
  };
}

interface Waiting {
  topic: string;
  message: Message;
  deadline: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function kafkajsFixed(opts: AdapterOptions, maxBatch = 500): ClientAdapter {
  const kafka = kjs(opts, 'eval-kafkajs-fixed');
  let current: { producer: KjsProducer; connected: Promise<KjsProducer> } | undefined;
  let identities = 0;
  let retirements = 0;
  const acquire = () => {
    if (!current) {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: KJS_RETRY });
      const connected = producer.connect().then(() => producer);
      current = { producer, connected };
      identities += 1;
      connected.catch(() => retire(producer));
    }
    return current.connected;
  };
  const retire = (producer: KjsProducer) => {
    if (current?.producer !== producer) return;
    current = undefined;
    retirements += 1;
    producer.disconnect().catch(() => undefined);
  };
  const waiting: Waiting[] = [];
  let sending = false;
  const backoff = (n: number) => Math.min(2_000, 100 * 2 ** Math.min(n - 1, 5));
  const sendBatch = async (batch: Waiting[]): Promise<boolean> => {
    let producer: KjsProducer | undefined;
    try {
      producer = await acquire();
      await producer.send({ topic: batch[0]!.topic, acks: -1, messages: batch.map((w) => w.message) });
      batch.forEach((w) => w.resolve());
      return true;
    } catch (err) {
      if (producer) retire(producer);
      const now = Date.now();
      const again = batch.filter((w) => (w.deadline > now ? true : (w.reject(err), false)));
      waiting.unshift(...again);
      return false;
    }
  };
  const drain = async () => {
    sending = true;
    try {
      let failures = 0;
      while (waiting.length) {
        // one topic per batch (the bench and the scenario use one topic each)
        const topic = waiting[0]!.topic;
        let n = 0;
        while (n < waiting.length && n < maxBatch && waiting[n]!.topic === topic) n += 1;
        if (await sendBatch(waiting.splice(0, n))) failures = 0;
        else await new Promise((r) => setTimeout(r, backoff((failures += 1))));
      }
    } finally {
      sending = false;
    }
  };
  return {
    name: 'kafkajs-fixed',
    connect: async () => void (await acquire()),
    send(topic, key, value) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ topic, message: { key, value }, deadline: Date.now() + opts.deliveryTimeoutMs, resolve, reject });
        if (!sending) void drain();
      });
    },
    async close() {
      const c = current;
      current = undefined;
      if (c) await c.producer.disconnect().catch(() => undefined);
    },
    info: () => ({ producerIds: identities, retirements }),
  };
}

export async function platformatic(opts: AdapterOptions): Promise<ClientAdapter> {
  const { Producer, ProduceAcks } = await import('@platformatic/kafka');
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
    clientId: 'eval-platformatic',
    bootstrapBrokers: opts.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    timeout: opts.requestTimeoutMs,
    retries: 3, // library default
    retryDelay: 1_000, // library default
    connectTimeout: 1_000,
    autocreateTopics: false,
  } as never);
  return {
    name: 'platformatic',
    connect: async () => undefined,
    async send(topic, key, value) {
      await producer.send({ messages: [{ topic, key: Buffer.from(key), value }] });
    },
    close: () => producer.close(),
    info: () => ({ producerId: String(producer.producerId) }),
  };
}

export function confluent(opts: AdapterOptions): ClientAdapter {
  const require = createRequire(import.meta.url);
  const { KafkaJS } = require('@confluentinc/kafka-javascript');
  const kafka = new KafkaJS.Kafka({ kafkaJS: { clientId: 'eval-confluent', brokers: opts.brokers, requestTimeout: opts.requestTimeoutMs, connectionTimeout: 1_000, logLevel: KafkaJS.logLevel.NOTHING } });
  const producer = kafka.producer({
    kafkaJS: { idempotent: true, acks: -1, timeout: opts.requestTimeoutMs, allowAutoTopicCreation: false },
    'message.timeout.ms': opts.deliveryTimeoutMs, // delivery timeout
    // librdkafka's default linger.ms is 5; CONFLUENT_LINGER_MS overrides it (bench variant)
    ...(process.env.CONFLUENT_LINGER_MS ? { 'linger.ms': Number(process.env.CONFLUENT_LINGER_MS) } : {}),
  });
  return {
    name: 'confluent',
    connect: () => producer.connect(),
    async send(topic, key, value) {
      await producer.send({ topic, messages: [{ key, value }] });
    },
    close: () => producer.disconnect(),
    info: () => ({}),
  };
}

/**
 * platformatic-fixed: @platformatic/kafka 1.35.0 wrapped in the project's strategy (as kafkajs-fixed): one
 * request at a time (concurrent sends coalesced), and after any failed request the producer is closed and
 * a new Producer (new producer id) sends the batch again.
 */
export async function platformaticFixed(opts: AdapterOptions, maxBatch = 500): Promise<ClientAdapter> {
  const { Producer, ProduceAcks } = await import('@platformatic/kafka');
  type P = InstanceType<typeof Producer<Buffer, Buffer, Buffer, Buffer>>;
  let current: P | undefined;
  let identities = 0;
  let retirements = 0;
  const acquire = (): P => {
    if (!current) {
      current = new Producer<Buffer, Buffer, Buffer, Buffer>({
        clientId: 'eval-platformatic-fixed', bootstrapBrokers: opts.brokers, idempotent: true, acks: ProduceAcks.ALL,
        timeout: opts.requestTimeoutMs, retries: 3, retryDelay: 1_000, connectTimeout: 1_000, autocreateTopics: false,
      } as never);
      identities += 1;
    }
    return current;
  };
  const retire = (p: P) => {
    if (current !== p) return;
    current = undefined;
    retirements += 1;
    p.close().catch(() => undefined);
  };
  const waiting: Waiting[] = [];
  let sending = false;
  const backoff = (n: number) => Math.min(2_000, 100 * 2 ** Math.min(n - 1, 5));
  const sendBatch = async (batch: Waiting[]): Promise<boolean> => {
    const producer = acquire();
    try {
      await producer.send({ messages: batch.map((w) => ({ topic: w.topic, key: Buffer.from(w.message.key as string), value: w.message.value as Buffer })) });
      batch.forEach((w) => w.resolve());
      return true;
    } catch (err) {
      retire(producer);
      const now = Date.now();
      const again = batch.filter((w) => (w.deadline > now ? true : (w.reject(err), false)));
      waiting.unshift(...again);
      return false;
    }
  };
  const drain = async () => {
    sending = true;
    try {
      let failures = 0;
      while (waiting.length) {
        const n = Math.min(waiting.length, maxBatch);
        if (await sendBatch(waiting.splice(0, n))) failures = 0;
        else await new Promise((r) => setTimeout(r, backoff((failures += 1))));
      }
    } finally {
      sending = false;
    }
  };
  return {
    name: 'platformatic-fixed',
    connect: async () => undefined,
    send(topic, key, value) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ topic, message: { key, value }, deadline: Date.now() + opts.deliveryTimeoutMs, resolve, reject });
        if (!sending) void drain();
      });
    },
    async close() {
      const c = current;
      current = undefined;
      if (c) await c.close().catch(() => undefined);
    },
    info: () => ({ producerIds: identities, retirements }),
  };
}

export async function makeAdapter(name: string, opts: AdapterOptions): Promise<ClientAdapter> {
  switch (name) {
    case 'kafkajs-plain':
      return kafkajsPlain(opts);
    case 'kafkajs-fixed':
      return kafkajsFixed(opts);
    case 'platformatic':
      return platformatic(opts);
    case 'confluent':
      return confluent(opts);
    case 'platformatic-fixed':
      return platformaticFixed(opts);
    default:
      throw new Error(`unknown client ${name}`);
  }
}

/** A short signature of an error and its causes: names, codes, types, kafka error names. */
export function errorSignature(err: unknown): string {
  const parts: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 3) return;
    const o = e as Record<string, unknown>;
    const bits = [o.name, o.type, o.code, o.apiId, o.apiCode].filter((x) => x !== undefined && x !== null && x !== '').map(String);
    if (bits.length) parts.push([...new Set(bits)].join(':'));
    if (Array.isArray(o.errors)) for (const c of (o.errors as unknown[]).slice(0, 2)) visit(c, depth + 1);
    visit(o.originalError, depth + 1);
    visit(o.cause, depth + 1);
  };
  visit(err, 0);
  return parts.join(' > ').slice(0, 300) || String(err).slice(0, 120);
}
