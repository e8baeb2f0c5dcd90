/**
 * Where each server lives, from the configuration. An address given in the environment is an external
 * instance: the local stack checks it but never starts or stops it.
 */
import { readFileSync } from 'node:fs';
import { config } from './index.js';
import { kafkaCredential, type KafkaPrincipal } from './kafka-credentials.js';
import { rabbitmqCredential } from './rabbitmq-credentials.js';
import type { IdpName } from './local-ports.js';
import { SETTINGS, type SettingName } from './settings.js';

export { IDP_NAMES, LOCAL_PORTS, type IdpName } from './local-ports.js';

export interface Endpoint {
  /** The address clients use (host:port, a URL, or a comma-separated broker list). */
  readonly address: string;
  /** True when the address came from the environment: not ours to start or stop. */
  readonly external: boolean;
  /** The environment variable that overrides it. */
  readonly envVar: SettingName;
}

function endpoint(envVar: SettingName, address: string): Endpoint {
  return { address, external: config().given.has(envVar), envVar };
}

export function temporalEndpoint(): Endpoint {
  return endpoint('TEMPORAL_ADDRESS', config().TEMPORAL_ADDRESS);
}

export function temporalUiUrl(): string {
  return config().TEMPORAL_UI_URL;
}

export function temporalNamespace(): string {
  return config().TEMPORAL_NAMESPACE;
}

export function kafkaEndpoint(): Endpoint {
  return endpoint('KAFKA_BROKERS', config().KAFKA_BROKERS.join(','));
}

export function kafkaBrokers(): string[] {
  return config().KAFKA_BROKERS;
}

/** How a Kafka client reaches the brokers as `principal`: SASL always, TLS when configured. */
export interface KafkaConnectionSettings {
  brokers: string[];
  sasl: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
  ssl?: true | { ca: Buffer[] };
}

export function kafkaConnection(principal: KafkaPrincipal): KafkaConnectionSettings {
  const c = config();
  const { username, password } = kafkaCredential(principal);
  const ssl = c.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(c.KAFKA_SSL_CA_FILE)] } : c.KAFKA_SSL ? (true as const) : undefined;
  return { brokers: c.KAFKA_BROKERS, sasl: { mechanism: c.KAFKA_SASL_MECHANISM, username, password }, ...(ssl ? { ssl } : {}) };
}

/** Base URL of the Confluent-compatible API (Apicurio's ccompat v7 locally, Confluent's root in production). */
export function schemaRegistryEndpoint(): Endpoint {
  return endpoint('SCHEMA_REGISTRY_URL', config().SCHEMA_REGISTRY_URL);
}

/** The UDS ABAC authority; locally a Cerbos PDP (HTTP API). */
export function pdpEndpoint(): Endpoint {
  return endpoint('PDP_URL', config().PDP_URL);
}

const IDP_SETTING: Record<IdpName, SettingName & `IDP_${string}_URL`> = { firm: 'IDP_FIRM_URL', partner: 'IDP_PARTNER_URL', internal: 'IDP_INTERNAL_URL' };

/** Issuer URL of a dev IdP (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
export function idpEndpoint(name: IdpName): Endpoint {
  const envVar = IDP_SETTING[name];
  return endpoint(envVar, config()[envVar] as string);
}

/** The federation transport: a RabbitMQ broker and its virtual host (`amqp://127.0.0.1:5672/federation` locally). */
export function rabbitmqEndpoint(): Endpoint {
  return endpoint('RABBITMQ_URL', config().RABBITMQ_URL);
}

/** How an AMQP client reaches the broker as one organisation: address, virtual host, that organisation's user. */
export interface RabbitmqConnectionSettings {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  vhost: string;
  username: string;
  password: string;
}

/** Where the broker is (RABBITMQ_URL), without credentials. */
export function rabbitmqAddress(): Omit<RabbitmqConnectionSettings, 'username' | 'password'> {
  const url = new URL(config().RABBITMQ_URL);
  const protocol = url.protocol === 'amqps:' ? 'amqps' : 'amqp';
  return { protocol, hostname: url.hostname, port: Number(url.port || (protocol === 'amqps' ? 5671 : 5672)), vhost: decodeURIComponent(url.pathname.slice(1)) };
}

export function rabbitmqConnection(org: string): RabbitmqConnectionSettings {
  return { ...rabbitmqAddress(), ...rabbitmqCredential(org) };
}

/** The origins the gateway (and the page it serves at `/ui/`) is reached at locally: 127.0.0.1 and localhost. */
export function gatewayOrigins(): string[] {
  const port = config().COORD_GATEWAY_PORT;
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** The audience every token for this service must carry. */
export function tokenAudience(): string {
  return config().COORD_TOKEN_AUDIENCE;
}

/** The audit topic. */
export function auditTopic(): string {
  return config().COORD_AUDIT_TOPIC;
}

/** The default audit topic (the setting's fallback), which benchmarks must never write to. */
export const DEFAULT_AUDIT_TOPIC: string = SETTINGS.COORD_AUDIT_TOPIC.fallback!;

/**
 * How to reach Temporal: its address, and — when configured — mTLS (CA, client certificate and key) and a
 * token for the server's authorizer. The local dev server needs none of them (127.0.0.1 only).
 */
export interface TemporalConnectionSettings {
  address: string;
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function temporalConnection(): TemporalConnectionSettings {
  const c = config();
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  const ca = read(c.TEMPORAL_TLS_CA_FILE);
  const crt = read(c.TEMPORAL_TLS_CERT_FILE);
  const key = read(c.TEMPORAL_TLS_KEY_FILE);
  if (Boolean(crt) !== Boolean(key)) throw new Error('TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE go together');
  const tls = ca || crt ? { ...(ca ? { serverRootCACertificate: ca } : {}), ...(crt && key ? { clientCertPair: { crt, key } } : {}) } : undefined;
  const apiKey = c.TEMPORAL_API_KEY_FILE ? readFileSync(c.TEMPORAL_API_KEY_FILE, 'utf8').trim() : undefined;
  return { address: c.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}), ...(apiKey ? { apiKey } : {}) };
}
