/**
 * The library client, and the two Confluent Schema Registry REST calls @kafkajs/confluent-schema-registry does not offer: the raw
 * latest schema of a subject, and the compatibility test. Works against Apicurio's ccompat v7 and Confluent.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AuditContractError } from './errors.js';

/**
 * Every registry request gives up after this long. A registry that accepts a request and never answers
 * (seen once from Apicurio right after a restart) would otherwise hold a publish forever: the failure
 * lets the activity retry on a new request instead.
 */
export const REGISTRY_TIMEOUT_MS = 10_000;

/** A middleware of the library's HTTP client (mappersmith), typed through the library's own options. */
type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** Sets a request timeout on every call: the client then aborts the request and fails the call. */
const requestTimeout =
  (ms: number): RegistryMiddleware =>
  () => ({
    async prepareRequest(next) {
      const request = await next();
      return request.timeout() ? request : request.enhance({ timeout: ms });
    },
  });

/**
 * The library's HTTP client (mappersmith) reports a request that got no answer at all — refused, reset,
 * unresolvable — as status 400 with the socket error as its text ("Error, status 400: connect ECONNREFUSED
 * …"), so an outage read like a bad request in the logs. A registry's own 400 always carries a JSON message
 * instead. Such a failure becomes ERR_REGISTRY_UNREACHABLE, the code the REST calls below use too.
 */
const NO_ANSWER = /Error, status 400: .*(\bE[A-Z]{4,}\b|socket hang up)/;

const unreachableNamed =
  (registryUrl: string): RegistryMiddleware =>
  () => ({
    async response(next) {
      try {
        return await next();
      } catch (failed) {
        const { status, message } = failed as { status?: unknown; message?: unknown };
        if (status === 400 && typeof message === 'string' && NO_ANSWER.test(message)) {
          throw new AuditContractError('ERR_REGISTRY_UNREACHABLE', `schema registry unreachable at ${registryUrl}: ${message.slice(message.indexOf('status 400: ') + 12)}`);
        }
        throw failed;
      }
    },
  });

/**
 * A read that timed out is sent once more: Apicurio has been seen to accept a GET and never answer it
 * (a CI run: `GET /schemas/ids/7` → "Timeout (10000ms)" mid-test), and a read is safe to repeat. Writes are
 * not retried here; their callers (activities) retry them as a whole.
 */
const GET_RETRIES = 1;
const TIMED_OUT = /Timeout \(\d+ms\)/;

/** The registry did not answer a call in time (the client aborted it). */
export const registryTimedOut = (err: unknown): boolean => {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && TIMED_OUT.test(message);
};

const retryUnansweredReads =
  (retries: number): RegistryMiddleware =>
  () => {
    let left = retries; // one middleware instance per call, kept across renew()
    return {
      async response(next, renew, request) {
        try {
          return await next();
        } catch (failed) {
          if (left > 0 && request.method() === 'get' && registryTimedOut(failed)) {
            left -= 1;
            return renew();
          }
          throw failed;
        }
      },
    };
  };

/**
 * The library's client. Its ajv runs non-strict (our schemas carry the registry metadata keyword
 * `x-coordination-ledger`) and without format checks (every date-time also has a pattern); the zod
 * contract is the strict validator anyway, and runs first.
 */
export function createSchemaRegistry(registryUrl: string, timeoutMs = REGISTRY_TIMEOUT_MS): SchemaRegistry {
  return new SchemaRegistry({ host: registryUrl, middlewares: [requestTimeout(timeoutMs), unreachableNamed(registryUrl), retryUnansweredReads(GET_RETRIES)] }, { [SchemaType.JSON]: { strict: false, validateFormats: false } });
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegisteredSchema {
  id: number;
  version: number;
  schema: string;
}

export class RegistryRest {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = REGISTRY_TIMEOUT_MS,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, retries = method === 'GET' ? GET_RETRIES : 0): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((err: unknown) => {
      if ((err as Error).name === 'TimeoutError') {
        if (retries > 0) return undefined; // a read that got no answer: asked once more below
        throw err;
      }
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new AuditContractError('ERR_REGISTRY_UNREACHABLE', `schema registry unreachable at ${this.baseUrl}: ${cause ?? String(err)}`);
    });
    if (!res) return this.call<T>(method, path, body, retries - 1);
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  }

  private fail(what: string, status: number, json: unknown): never {
    throw new AuditContractError('ERR_REGISTRY', `${what} → ${status} ${JSON.stringify(json)}`);
  }

  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    const { status, json } = await this.call<RegisteredSchema>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (status === 200) return json;
    if (status === 404) return undefined;
    return this.fail(`latest ${subject}`, status, json);
  }

  /** The schema text registered under a global id, or undefined when the registry has no such id. */
  async schemaById(id: number): Promise<string | undefined> {
    const { status, json } = await this.call<{ schema: string }>('GET', `/schemas/ids/${id}`);
    if (status === 200) return json.schema;
    if (status === 404) return undefined;
    return this.fail(`schema id ${id}`, status, json);
  }

  /** Is `schema` compatible with the latest version? Messages when the registry gives them (Confluent: verbose). */
  async compatibleWithLatest(subject: string, schema: string): Promise<{ compatible: boolean; messages: string[] }> {
    const { status, json } = await this.call<{ is_compatible: boolean; messages?: string[] }>(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schemaType: 'JSON', schema },
    );
    if (status !== 200) return this.fail(`compatibility ${subject}`, status, json);
    return { compatible: json.is_compatible, messages: json.messages ?? [] };
  }
}
