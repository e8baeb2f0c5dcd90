/** Where this clone keeps its downloads and its runtime data. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from './index.js';

/** The repository root (this file lives in config/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Downloads (binaries, jars, wheels). Shareable between clones: set COORD_CACHE_DIR to reuse one. */
export const CACHE_DIR = resolve(config().COORD_CACHE_DIR ?? join(ROOT, '.cache'));

/** Runtime data of the local stack: databases, logs, pid files, keys. One per clone. */
export const DATA_DIR = resolve(config().COORD_DATA_DIR ?? join(ROOT, '.data'));

export const RUN_DIR = join(DATA_DIR, 'run');
export const LOG_DIR = join(DATA_DIR, 'logs');

export function ensureDir(path: string): string {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
  return path;
}
