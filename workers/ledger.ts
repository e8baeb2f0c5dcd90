/**
 * The ledger process: ingests the audit topic into the ledger store (a consumer group of its own per process; positions live in the store)
 * and runs the self-audit every COORD_SELF_AUDIT_INTERVAL seconds (default 60). Metrics on
 * COORD_LEDGER_METRICS_ADDRESS (default 127.0.0.1:9465) at /metrics, the last self-audit at /status, and the
 * transparency log (checkpoints, proofs, witnesses' cosignatures: ledger/log/http.ts) under /log/. When the
 * federation policy (COORD_FEDERATION_POLICY) names partners, it also packages their slices into the outbox
 * and publishes them over RabbitMQ every COORD_FEDERATION_INTERVAL seconds, and records their receipts.
 * Usage: node --import tsx workers/ledger.ts   (configuration from the environment, see README)
 */
import { createServer } from 'node:http';
import { Checkpointer } from '../ledger/log/checkpointer.js';
import { handleLogRequest } from '../ledger/log/http.js';
import { loadLogKey, loadWitnesses } from '../ledger/log/log-key.js';
import { LogService } from '../ledger/log/log-service.js';
import { Serial } from '../lib/serial.js';
import { ensureAuditTopic } from '../kafka/audit-topic.js';
import { withAdmin } from '../kafka/client.js';
import { LedgerConsumer } from '../ledger/consumer.js';
import { LedgerMetrics } from '../ledger/metrics.js';
import { SelfAudit, type SelfAuditReport } from '../ledger/self-audit.js';
import { ledgerUrl, openLedgerStore } from '../ledger/open-store.js';
import { connectTemporal } from '../ledger/temporal-client.js';
import { WireDecoder } from '../ledger/wire.js';
import { TemporalWorkflowHeads } from '../ledger/workflow-heads.js';
import { auditTopic, pdpEndpoint, schemaRegistryEndpoint } from '../config/endpoints.js';
import { createLogger } from '../lib/logger.js';
import { configOrExit } from '../config/index.js';
import { restrictNewFilesToOwner } from '../lib/private-files.js';
import { CerbosUdsClient } from '../activities/abac/cerbos-uds.js';
import { fingerprintOf } from '../audit/slice/schema-fingerprint.js';
import { FederationPolicyError, readFederationPolicy } from '../ledger/federation/policy.js';
import { FederationService } from '../ledger/federation/service.js';
import { AmqpFederationTransport } from '../ledger/federation/transport.js';
import { loadOrCreateSigningKey } from '../ledger/signing-key.js';

const settings = configOrExit();
restrictNewFilesToOwner(); // the ledger database and its journal: 0600, folders 0700
const logger = createLogger('ledger');
const topic = auditTopic();
const taskQueue = settings.COORD_TASK_QUEUE;
const intervalSeconds = settings.COORD_SELF_AUDIT_INTERVAL;
const metricsAddress = settings.COORD_LEDGER_METRICS_ADDRESS;

const store = await openLedgerStore();
const metrics = new LedgerMetrics();
await withAdmin((admin) => ensureAuditTopic(admin, topic), { principal: 'ledger' });

// The transparency log: a checkpoint after every COORD_LOG_CHECKPOINT_EVENTS events or _SECONDS seconds.
const logKey = loadLogKey();
const checkpointer = new Checkpointer(store.log, logKey, settings.COORD_LOG_ORIGIN, {
  everyEvents: settings.COORD_LOG_CHECKPOINT_EVENTS,
  everyMs: settings.COORD_LOG_CHECKPOINT_SECONDS * 1000,
});
const checkpoints = new Serial(async () => {
  try {
    await checkpointer.maybeCheckpoint();
  } catch (err) {
    logger.error({ err }, 'checkpoint failed');
  }
});
const checkpointTimer = setInterval(() => void checkpoints.run(), settings.COORD_LOG_CHECKPOINT_SECONDS * 1000);
const logService = new LogService(store, loadWitnesses);

const consumer = new LedgerConsumer({
  store,
  decoder: new WireDecoder(schemaRegistryEndpoint().address),
  topic,
  failpoint: settings.COORD_LEDGER_FAILPOINT,
  onBatch: (info) => {
    if (info.accepted) void checkpoints.run();
    metrics.batch(info);
    if (info.quarantined) logger.warn(info, 'batch ingested with quarantined messages');
    else logger.debug(info, 'batch ingested');
  },
});
await consumer.start();

// Federation: slices for the partners the policy names, over RabbitMQ (ledger/federation/).
let federation: FederationService | undefined;
try {
  const policy = readFederationPolicy();
  if (policy.partners.size > 0) {
    const partners = [...policy.partners.keys()];
    federation = new FederationService({
      store,
      log: logService,
      policy,
      pdp: new CerbosUdsClient(pdpEndpoint().address),
      signingKey: await loadOrCreateSigningKey(),
      fingerprint: (schemaId) => {
        const fp = fingerprintOf(schemaId);
        if (!fp) throw new Error(`no schema ${schemaId} in the catalog`);
        return fp;
      },
      transport: new AmqpFederationTransport({ sender: policy.sender, partners, logger }),
      intervalMs: settings.COORD_FEDERATION_INTERVAL * 1000,
      resendAfterMs: settings.COORD_FEDERATION_RESEND_SECONDS * 1000,
      logger,
    });
    await federation.start();
    logger.info({ policy: policy.file, sender: policy.sender, partners }, 'federation: sending slices');
  }
} catch (err) {
  if (!(err instanceof FederationPolicyError)) throw err;
  logger.fatal({ err: err.message }, 'federation: the policy cannot be used');
  process.exit(2);
}

const temporal = await connectTemporal();
const selfAudit = new SelfAudit({
  store,
  workflows: new TemporalWorkflowHeads(temporal, taskQueue),
  windowSeconds: settings.COORD_SELF_AUDIT_WINDOW,
  lagWindowSeconds: settings.COORD_SELF_AUDIT_LAG_WINDOW,
});
let lastReport: SelfAuditReport | null = null;

async function auditOnce(): Promise<void> {
  try {
    const report = await selfAudit.pass();
    lastReport = report;
    metrics.selfAudit(report);
    const summary = { delta: report.delta, lag: report.lag, checked: report.checked, matched: report.matched, unverifiable: report.unverifiable.length };
    if (report.alarm) logger.error({ ...summary, mismatches: report.mismatches.filter((m) => m.alarm), outside_pipeline: report.outside_pipeline }, 'self-audit alarm: Temporal and the ledger disagree, or a composition was ended outside the pipeline');
    else if (report.delta) logger.warn({ ...summary, mismatches: report.mismatches }, 'self-audit pass: heads differ (within the lag window)');
    else logger.info(summary, 'self-audit pass');
  } catch (err) {
    logger.error({ err }, 'self-audit pass failed');
  }
}

let timer: NodeJS.Timeout | undefined;
let running: Promise<void> = Promise.resolve();
const schedule = () => {
  timer = setTimeout(() => {
    running = auditOnce().finally(schedule);
  }, intervalSeconds * 1000);
};
schedule();

const [host, port] = [metricsAddress.slice(0, metricsAddress.lastIndexOf(':')), Number(metricsAddress.slice(metricsAddress.lastIndexOf(':') + 1))];
const server = createServer((req, res) => {
  if (req.url?.startsWith('/log/')) {
    handleLogRequest(logService, req, res).catch((err: unknown) => logger.error({ err }, 'log request failed'));
  } else if (req.url === '/metrics') {
    void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
  } else if (req.url === '/status') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(lastReport));
  } else {
    res.writeHead(404).end();
  }
}).listen(port, host);
await new Promise((resolve) => server.once('listening', resolve));
const address = server.address() as { port: number };
const metricsUrl = `http://${host}:${address.port}/metrics`;
logger.info({ topic, taskQueue, store: ledgerUrl().replace(/\/\/[^@]*@/, '//***@'), metrics: metricsUrl, intervalSeconds, pid: process.pid }, 'ledger ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'ledger stopping');
    clearTimeout(timer);
    clearInterval(checkpointTimer);
    void running
      .then(() => federation?.stop())
      .then(() => consumer.stop())
      .then(() => store.close())
      .then(() => temporal.connection.close())
      .finally(() => {
        server.close();
        logger.info('ledger stopped');
        process.exit(0);
      });
  });
}
