/**
 * Who a Kafka client is. Every connection authenticates (SASL) as one of three principals, and the broker's
 * ACLs decide what each may do (kafka/acls.ts): the worker writes the audit topic, the ledger reads it, the
 * admin (a super user) creates topics and grants. A process finds the credentials of the principals it may
 * use in one JSON file, `KAFKA_SASL_CREDENTIALS_FILE` (locally the stack's own, created with random
 * passwords by `coord stack up`); in production each process gets a file holding only its own.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { credentialSchema as credential, readCredentialsFile, type Credential } from './credentials-file.js';
import { config } from './index.js';
import { DATA_DIR } from './paths.js';

export const KAFKA_PRINCIPALS = ['worker', 'ledger', 'admin'] as const;
export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number];

export type KafkaCredential = Credential;

export type KafkaCredentials = Partial<Record<KafkaPrincipal, KafkaCredential>>;

const credentialsFile = z.object({ worker: credential.optional(), ledger: credential.optional(), admin: credential.optional() });

/** Where the local stack keeps the SCRAM credentials it created (0600, in a 0700 folder). */
export const LOCAL_KAFKA_CREDENTIALS_FILE = join(DATA_DIR, 'kafka', 'credentials.json');

export function kafkaCredentialsFile(): string {
  return config().KAFKA_SASL_CREDENTIALS_FILE ?? LOCAL_KAFKA_CREDENTIALS_FILE;
}

/** Every credential in `file` (read at each call: `coord stack up` may create or replace the local one). */
export function readKafkaCredentials(file = kafkaCredentialsFile()): KafkaCredentials {
  return readCredentialsFile(file, { what: 'Kafka', localFile: LOCAL_KAFKA_CREDENTIALS_FILE, schema: credentialsFile, shape: '{"worker"|"ledger"|"admin": {"username", "password"}}' });
}

/** The credential of one principal; a file without it is a configuration error that names the file. */
export function kafkaCredential(principal: KafkaPrincipal): KafkaCredential {
  const file = kafkaCredentialsFile();
  const found = readKafkaCredentials(file)[principal];
  if (!found) throw new Error(`Kafka credentials: ${file} holds no credentials for the ${principal} principal (KAFKA_SASL_CREDENTIALS_FILE)`);
  return found;
}
