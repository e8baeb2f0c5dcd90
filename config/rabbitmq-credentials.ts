/**
 * Who a federation client is on RabbitMQ. Each organisation has its own broker user, and the broker's
 * permissions decide what it may do: the ledger (our organisation, the sender) publishes slices and reads
 * receipts, each partner reads its own slices and publishes receipts (infra/rabbitmq/permissions.ts). A
 * process finds the credentials of the organisations it may act as in one JSON file keyed by organisation,
 * `RABBITMQ_CREDENTIALS_FILE` (locally the stack's own, created with random passwords by `coord stack up`);
 * in production each organisation's process gets a file holding only its own.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { credentialSchema as credential, readCredentialsFile, type Credential } from './credentials-file.js';
import { config } from './index.js';
import { DATA_DIR } from './paths.js';

/** Our organisation in the federation: the ledger, which sends slices and receives receipts. */
export const FEDERATION_SENDER_ORG = 'ledger';
/** The partner organisations the local stack gives a broker user. */
export const LOCAL_FEDERATION_PARTNERS: readonly string[] = ['partner'];

/**
 * An organisation name: a RabbitMQ user, a routing key and the last part of a queue name, so letters,
 * digits, dash and underscore (no dots: a dot would look like another level of the queue names).
 */
export const FEDERATION_ORG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function assertFederationOrg(org: string): string {
  if (!FEDERATION_ORG.test(org)) throw new TypeError(`a federation organisation is 1–64 letters, digits, dashes or underscores, got ${JSON.stringify(org)}`);
  return org;
}

export type RabbitmqCredential = Credential;

export type RabbitmqCredentials = Readonly<Record<string, RabbitmqCredential>>;

const credentialsFile = z.record(z.string().regex(FEDERATION_ORG), credential);

/** Where the local stack keeps the broker users it created (0600, in a 0700 folder). */
export const LOCAL_RABBITMQ_CREDENTIALS_FILE = join(DATA_DIR, 'rabbitmq', 'credentials.json');

export function rabbitmqCredentialsFile(): string {
  return config().RABBITMQ_CREDENTIALS_FILE ?? LOCAL_RABBITMQ_CREDENTIALS_FILE;
}

/** Every credential in `file` (read at each call: `coord stack up` may create the local one). */
export function readRabbitmqCredentials(file = rabbitmqCredentialsFile()): RabbitmqCredentials {
  return readCredentialsFile(file, { what: 'RabbitMQ', localFile: LOCAL_RABBITMQ_CREDENTIALS_FILE, schema: credentialsFile, shape: '{"<organisation>": {"username", "password"}}' });
}

/** The credential of one organisation; a file without it is a configuration error that names the file. */
export function rabbitmqCredential(org: string): RabbitmqCredential {
  const file = rabbitmqCredentialsFile();
  const all = readRabbitmqCredentials(file);
  const found = Object.hasOwn(all, assertFederationOrg(org)) ? all[org] : undefined;
  if (!found) throw new Error(`RabbitMQ credentials: ${file} holds no credentials for the organisation ${org} (RABBITMQ_CREDENTIALS_FILE)`);
  return found;
}
