/**
 * The partner's receiving node as a process (what `coord federation receive` runs): verifies and keeps the
 * slices the sender publishes for it, answers each with a signed receipt (workers/federation/receive-loop.ts).
 * Prints `{"msg":"federation receiver ready"}` once it consumes; SIGINT/SIGTERM finish the message in hand.
 * Usage: node --import tsx workers/federation-receiver.ts --org <partner> [--trust <file>] [--prefetch <n>]
 */
import { parseArgs } from 'node:util';
import { configOrExit } from '../config/index.js';
import { assertFederationOrg } from '../config/rabbitmq-credentials.js';
import { createLogger } from '../lib/logger.js';
import { restrictNewFilesToOwner } from '../lib/private-files.js';
import { runReceiveLoop } from './federation/receive-loop.js';

configOrExit();
restrictNewFilesToOwner(); // its store, its journal and its key: 0600, folders 0700
const logger = createLogger('federation-receiver');
try {
  const { values } = parseArgs({ options: { org: { type: 'string' }, trust: { type: 'string' }, prefetch: { type: 'string', default: '8' } } });
  const org = assertFederationOrg(values.org ?? '');
  const prefetch = Number(values.prefetch);
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new TypeError(`--prefetch: a positive integer, got ${values.prefetch}`);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'federation receiver stopping');
      stop.abort();
    });
  }
  await runReceiveLoop({ org, trustFile: values.trust, prefetch, logger, signal: stop.signal });
  logger.info('federation receiver stopped');
  process.exit(0);
} catch (err) {
  logger.fatal({ err }, 'federation receiver failed');
  process.exit(1);
}
