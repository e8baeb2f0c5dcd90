/**
 * The Temporal worker process: runs composition workflows and their activities. Registers the event
 * schemas at start (idempotent), exposes the SDK's Prometheus metrics, logs JSON, and shuts down gracefully
 * on SIGINT/SIGTERM (in-flight tasks finish, the Kafka producer is flushed and closed).
 * Usage: node --import tsx workers/worker.ts [--workflows <entry.ts>]   (configuration from the environment,
 * see README; --workflows names another bundle entry point, e.g. the benchmarks' bench/workflows/index.ts)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, WORKER_CRASH_POINTS } from '../activities/index.js';
import { CrashPoint } from '../lib/crash-point.js';
import { createLostAttemptProbe } from '../activities/lost-attempt.js';
import { fileJournal } from '../activities/publish-journal.js';
import { WORKER_JOURNAL_DIR } from '../config/paths.js';
import { reverseHistory } from '../client/reverse-history.js';
import { findPublished } from '../kafka/find-published.js';
import { CerbosUdsClient } from '../activities/abac/cerbos-uds.js';
import { trustedIssuers } from '../activities/jwt/trusted-issuers.js';
import { PHASE_HISTOGRAM, type PhaseRecorder } from '../lib/phase-timing.js';
import { JwtVerifier } from '../activities/jwt/verifier.js';
import { AuditPublisher } from '../kafka/publisher.js';
import { loadEmitterSigner } from '../kafka/emitter-keys.js';
import { registerSchemas } from '../audit/registry-discipline.js';
import { AuditSerializer } from '../audit/serializer.js';
import { encryptedDataConverter } from '../client/data-converter.js';
import { configOrExit } from '../config/index.js';
import { restrictNewFilesToOwner } from '../lib/private-files.js';
import { auditTopic, pdpEndpoint, schemaRegistryEndpoint, temporalConnection, temporalNamespace, tokenAudience } from '../config/endpoints.js';
import { createLogger, temporalLogger } from '../lib/logger.js';
import { workflowBundle } from './workflow-bundle.js';

const settings = configOrExit();
restrictNewFilesToOwner(); // key files and caches it may create: 0600, folders 0700
const { values: args } = parseArgs({ options: { workflows: { type: 'string' } } });
const logger = createLogger('worker');
const metricsAddress = settings.COORD_METRICS_ADDRESS;
Runtime.install({ logger: temporalLogger(logger), telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } });

const registryUrl = schemaRegistryEndpoint().address;
const topic = auditTopic();
const taskQueue = settings.COORD_TASK_QUEUE;

const registered = await registerSchemas({ registryUrl, topic });
const refused = registered.filter((r) => r.status === 'incompatible');
if (refused.length) {
  logger.fatal({ subjects: refused }, 'event schemas are incompatible with the registry: not starting');
  process.exit(1);
}

// Per-phase durations of every transition, next to the SDK's own metrics (bench/lifecycle reads them).
const phaseHistogram = Runtime.instance().metricMeter.createHistogram(PHASE_HISTOGRAM, 'float', 'ms', 'duration of one phase of a transition (jwt_verify, pdp_decide, audit_encode, audit_produce)');
const phases: PhaseRecorder = { record: (phase, ms) => phaseHistogram.record(ms, { phase }) };

// Every event is signed by this worker's emitter key: the ledger admits nothing else.
const serializer = new AuditSerializer(registryUrl, topic);
const publisher = new AuditPublisher(serializer, topic, { phases, signer: loadEmitterSigner() });
const connection = await NativeConnection.connect(temporalConnection());
// A week: long past any retry of a lost workflow task (activities/publish-journal.ts).
const journal = fileJournal(WORKER_JOURNAL_DIR);
journal.prune(7 * 24 * 3600_000);
const activities = createActivities({
  jwt: new JwtVerifier({ issuers: trustedIssuers(), audience: tokenAudience() }),
  uds: new CerbosUdsClient(pdpEndpoint().address),
  publisher,
  phases,
  crashPoint: new CrashPoint(settings.COORD_WORKER_FAILPOINT, WORKER_CRASH_POINTS, 'COORD_WORKER_FAILPOINT'),
  journal,
  lostAttempt: createLostAttemptProbe(reverseHistory(connection.workflowService, temporalNamespace()), (q) => findPublished({ ...q, topic, serializer })),
});

const worker = await Worker.create({
  connection,
  namespace: temporalNamespace(),
  taskQueue,
  // prebuilt and cached: webpack stays out of the worker (about 150 MB less resident) and restarts are quicker
  workflowBundle: await workflowBundle(undefined, args.workflows ? resolve(args.workflows) : undefined),
  activities,
  dataConverter: encryptedDataConverter(),
  // The SDK would size its workflow cache from the heap limit (workers/services.ts caps the heap for RSS):
  // ten-odd cached workflows, so concurrent compositions would be evicted and replayed on every transition.
  maxCachedWorkflows: 100,
  // A workflow cached on a worker that died gets its next task on the normal queue after this, not after 10 s.
  stickyQueueScheduleToStartTimeout: '2s',
  // The audit sink matters only to replay (recomputing the stream); a live worker ignores it.
  sinks: { audit: { built: { fn: () => undefined, callDuringReplay: false } } },
});
logger.info({ taskQueue, topic, metrics: `http://${metricsAddress}/metrics`, pid: process.pid }, 'worker ready');

try {
  await worker.run(); // resolves after a shutdown signal, once in-flight tasks are done
} finally {
  await publisher.disconnect().catch((err: unknown) => logger.warn({ err }, 'closing the producer failed'));
  await connection.close();
  logger.info('worker stopped');
}
