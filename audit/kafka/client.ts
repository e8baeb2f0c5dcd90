/**
 * The project's only door to Kafka. kafkajs has had no release since 2023, so everything Kafka-specific
 * stays in audit/kafka/: swapping the client library touches these files only.
 */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { kafkaBrokers } from '../../infra/endpoints.js';

export function createKafka(clientId: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.ERROR, ...overrides });
}
