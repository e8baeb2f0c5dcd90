/**
 * Structured JSON logs (pino) for the project's processes, with the Temporal SDK's own logs routed into
 * them. Authorization headers and anything named like a token are redacted by path, as a last line of
 * defence: tokens are never passed to a logger in the first place.
 */
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { pino, type Logger } from 'pino';
import { config } from '../config/index.js';

export const REDACT_PATHS = ['token', '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization', 'participantTokens', '*.participantTokens'];

export function createLogger(name: string): Logger {
  return pino({ name, level: config().COORD_LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** The Temporal runtime logger, writing through pino. */
export function temporalLogger(logger: Logger): DefaultLogger {
  const level: LogEntry['level'] = config().COORD_TEMPORAL_LOG_LEVEL;
  return new DefaultLogger(level, (entry: LogEntry) => {
    const method = entry.level === 'TRACE' ? 'trace' : entry.level === 'DEBUG' ? 'debug' : entry.level === 'WARN' ? 'warn' : entry.level === 'ERROR' ? 'error' : 'info';
    logger[method]({ ...entry.meta, sdk: 'temporal' }, entry.message);
  });
}
