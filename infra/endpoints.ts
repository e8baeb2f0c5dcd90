/**
 * Where each component of the stack lives. Every address can be pointed at an external instance with an
 * environment variable; the local stack then leaves that component alone (does not start or stop it).
 */

export type IdpName = 'firm' | 'partner' | 'internal';
export const IDP_NAMES: readonly IdpName[] = ['firm', 'partner', 'internal'];

export interface Endpoint {
  /** The address clients use (host:port, a URL, or a comma-separated broker list). */
  readonly address: string;
  /** True when the address came from the environment: not ours to start or stop. */
  readonly external: boolean;
  /** The environment variable that overrides it. */
  readonly envVar: string;
}

function endpoint(envVar: string, fallback: string): Endpoint {
  const fromEnv = process.env[envVar]?.trim();
  return fromEnv ? { address: fromEnv, external: true, envVar } : { address: fallback, external: false, envVar };
}

export const LOCAL_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  temporalHttp: 7243,
  temporalMetrics: 7235,
  kafka: 9092,
  kafkaController: 9093,
  /** a second client listener for fault-injection tests; it advertises kafkaFaultProxy, where a test's proxy listens */
  kafkaFaultListener: 9094,
  kafkaFaultProxy: 9095,
  registry: 8081,
  registryManagement: 8091,
  pdpHttp: 3592,
  pdpGrpc: 3593,
  idp: { firm: 9401, partner: 9402, internal: 9403 } as Record<IdpName, number>,
} as const;

export function temporalEndpoint(): Endpoint {
  return endpoint('TEMPORAL_ADDRESS', `127.0.0.1:${LOCAL_PORTS.temporal}`);
}

export function temporalUiUrl(): string {
  return process.env.TEMPORAL_UI_URL?.trim() || `http://127.0.0.1:${LOCAL_PORTS.temporalUi}`;
}

export function temporalNamespace(): string {
  return process.env.TEMPORAL_NAMESPACE?.trim() || 'default';
}

export function kafkaEndpoint(): Endpoint {
  return endpoint('KAFKA_BROKERS', `127.0.0.1:${LOCAL_PORTS.kafka}`);
}

export function kafkaBrokers(): string[] {
  return kafkaEndpoint().address.split(',').map((b) => b.trim()).filter(Boolean);
}

/** Base URL of the Confluent-compatible API (Apicurio's ccompat v7 locally, Confluent's root in production). */
export function schemaRegistryEndpoint(): Endpoint {
  return endpoint('SCHEMA_REGISTRY_URL', `http://127.0.0.1:${LOCAL_PORTS.registry}/apis/ccompat/v7`);
}

/** The UDS ABAC authority; locally a Cerbos PDP (HTTP API). */
export function pdpEndpoint(): Endpoint {
  return endpoint('PDP_URL', `http://127.0.0.1:${LOCAL_PORTS.pdpHttp}`);
}

/** Issuer URL of a dev IdP (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
export function idpEndpoint(name: IdpName): Endpoint {
  return endpoint(`IDP_${name.toUpperCase()}_URL`, `http://127.0.0.1:${LOCAL_PORTS.idp[name]}`);
}

/** The audience every token for this service must carry. */
export function tokenAudience(): string {
  return process.env.COORD_TOKEN_AUDIENCE?.trim() || 'coordination-ledger';
}
