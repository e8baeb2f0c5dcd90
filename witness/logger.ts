/**
 * The witness's JSON log lines, on stderr (stdout carries `--json` outcomes). Not lib/logger.ts: that one
 * writes to stdout and loads the Temporal SDK, which a witness run by another organisation has no use for.
 */
import { pino, type Logger } from 'pino';
import { config } from '../config/index.js';

export function createWitnessLogger(org: string): Logger {
  return pino({ name: 'witness', base: { org }, level: config().COORD_LOG_LEVEL }, pino.destination({ dest: 2, sync: true }));
}
