/**
 * The project's only door to Kafka. kafkajs has had no release since 2023, so everything Kafka-specific
 * stays in kafka/: swapping the client library touches these files only. Its logs go out as JSON lines.
 */
import { Kafka, logLevel, type Admin, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import { pino } from 'pino';
import { kafkaConnection } from '../config/endpoints.js';
import { config } from '../config/index.js';
import type { KafkaPrincipal } from '../config/kafka-credentials.js';

export { KAFKA_PRINCIPALS, type KafkaPrincipal } from '../config/kafka-credentials.js';

const log = pino({ name: 'kafkajs', level: config().COORD_KAFKA_LOG_LEVEL });

const jsonLogs: logCreator = () => ({ level, log: entry }) => {
  const { message, ...rest } = entry;
  if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(rest, message);
  else if (level === logLevel.WARN) log.warn(rest, message);
  else if (level === logLevel.INFO) log.info(rest, message);
  else log.debug(rest, message);
};

export interface KafkaClientOptions extends Partial<Omit<KafkaConfig, 'sasl' | 'ssl' | 'brokers'>> {
  /** who the client is: the broker's ACLs decide what it may do (kafka/acls.ts) */
  principal: KafkaPrincipal;
}

/**
 * A client authenticated as `principal` (SASL, and TLS when configured): the one place that attaches
 * credentials, so no connection to Kafka is ever anonymous.
 */
export function createKafka(clientId: string, { principal, ...overrides }: KafkaClientOptions): Kafka {
  const { brokers, sasl, ssl } = kafkaConnection(principal);
  return new Kafka({ clientId, brokers, logLevel: logLevel.WARN, logCreator: jsonLogs, ...overrides, sasl: sasl as SASLOptions, ...(ssl ? { ssl } : {}) });
}

/** Runs `fn` on an admin connection of its own as `principal`, closed afterwards whatever happens. */
export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, { principal, clientId = 'coordination-ledger-admin' }: { principal: KafkaPrincipal; clientId?: string }): Promise<T> {
  const admin = createKafka(clientId, { principal }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
