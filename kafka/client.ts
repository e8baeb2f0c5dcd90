/**
 * The project's only door to Kafka. kafkajs has had no release since 2023, so everything Kafka-specific
 * stays in kafka/: swapping the client library touches these files only. Its logs go out as JSON lines.
 */
import { Kafka, logLevel, type Admin, type KafkaConfig, type logCreator } from 'kafkajs';
import { pino } from 'pino';
import { kafkaBrokers } from '../config/endpoints.js';
import { config } from '../config/index.js';

const log = pino({ name: 'kafkajs', level: config().COORD_KAFKA_LOG_LEVEL });

const jsonLogs: logCreator = () => ({ level, log: entry }) => {
  const { message, ...rest } = entry;
  if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(rest, message);
  else if (level === logLevel.WARN) log.warn(rest, message);
  else if (level === logLevel.INFO) log.info(rest, message);
  else log.debug(rest, message);
};

export function createKafka(clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.WARN, logCreator: jsonLogs, ...overrides });
}

/** Runs `fn` on an admin connection of its own, closed afterwards whatever happens. */
export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, clientId = 'coordination-ledger-admin'): Promise<T> {
  const admin = createKafka(clientId).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
