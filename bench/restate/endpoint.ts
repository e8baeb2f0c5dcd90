/**
 * The Restate SDK endpoint of the benchmark's Restate variant, a process of its own (its CPU and memory are
 * measured apart from the bench and the restate-server): serves the composition object (service.ts) over
 * HTTP/2 on 127.0.0.1, wired like workers/worker.ts wires the activities — the JWT verifier with the trusted
 * issuers, the Cerbos PDP, and the audit publisher signing with the emitter key, on COORD_AUDIT_TOPIC. It
 * registers the event schemas at start (idempotent), prints one JSON line `restate endpoint listening` with
 * its port, and stops on SIGTERM/SIGINT (the producer is flushed and closed).
 * Usage: node --import tsx bench/restate/endpoint.ts [--port 0]
 */
import { createServer } from 'node:http2';
import { parseArgs } from 'node:util';
import { createEndpointHandler } from '@restatedev/restate-sdk';
import { pino } from 'pino';
import { CerbosUdsClient } from '../../activities/abac/cerbos-uds.js';
import { trustedIssuers } from '../../activities/jwt/trusted-issuers.js';
import { JwtVerifier } from '../../activities/jwt/verifier.js';
import { registerSchemas } from '../../audit/registry-discipline.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { loadCodecKeys } from '../../client/codec-keys.js';
import { auditTopic, pdpEndpoint, schemaRegistryEndpoint, tokenAudience } from '../../config/endpoints.js';
import { configOrExit } from '../../config/index.js';
import { loadEmitterSigner } from '../../kafka/emitter-keys.js';
import { AuditPublisher } from '../../kafka/publisher.js';
import { restrictNewFilesToOwner } from '../../lib/private-files.js';
import { ENDPOINT_READY_MSG } from './names.js';
import { SealedCodec } from './sealed-codec.js';
import { compositionObject } from './service.js';

const settings = configOrExit();
restrictNewFilesToOwner();
const { values: args } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
// lib/logger.ts would load the Temporal worker runtime for its Temporal bridge: this process has no use for it
const logger = pino({ name: 'restate-endpoint', level: settings.COORD_LOG_LEVEL, redact: { paths: ['token', '*.token'], censor: '[redacted]' } });

const registryUrl = schemaRegistryEndpoint().address;
const topic = auditTopic();
const registered = await registerSchemas({ registryUrl, topic });
const refused = registered.filter((r) => r.status === 'incompatible');
if (refused.length) {
  logger.fatal({ subjects: refused }, 'event schemas are incompatible with the registry: not starting');
  process.exit(1);
}

const publisher = new AuditPublisher(new AuditSerializer(registryUrl, topic), topic, { clientId: 'coordination-ledger-restate-bench', signer: loadEmitterSigner() });
const codec = new SealedCodec(loadCodecKeys());
const handler = createEndpointHandler({
  services: [
    compositionObject({
      jwt: new JwtVerifier({ issuers: trustedIssuers(), audience: tokenAudience() }),
      uds: new CerbosUdsClient(pdpEndpoint().address),
      publisher,
    }),
  ],
  journalValueCodecProvider: async () => codec.journalValueCodec(),
});

const server = createServer(handler);
const port = await new Promise<number>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(args.port), '127.0.0.1', () => resolve((server.address() as { port: number }).port));
});
logger.info({ port, topic, pid: process.pid }, ENDPOINT_READY_MSG);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  server.close();
  await publisher.disconnect().catch((err: unknown) => logger.warn({ err }, 'closing the producer failed'));
  logger.info('restate endpoint stopped');
  process.exit(0);
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());
