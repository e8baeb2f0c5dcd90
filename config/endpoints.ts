/**
 * Where each server lives, from the configuration. An address given in the environment is an external
 * instance: the local stack checks it but never starts or stops it.
 */
import { config } from './index.js';
import { IDP_NAMES, type IdpName } from './local-ports.js';
import type { SettingName } from './settings.js';

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

/** The audience every token for this service must carry. */
export function tokenAudience(): string {
  return config().COORD_TOKEN_AUDIENCE;
}

export function idpNames(): readonly IdpName[] {
  return IDP_NAMES;
}

/** The audit topic. */
export function auditTopic(): string {
  return config().COORD_AUDIT_TOPIC;
}

/** The default audit topic, which benchmarks must never write to. */
export const DEFAULT_AUDIT_TOPIC = 'coordination.audit';
