/** Where this clone keeps its downloads and its runtime data. */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
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

/**
 * `path` and its missing parents, created owner-only (0700): the data folder holds databases, keys and
 * logs, the cache downloaded binaries. The data folder itself is tightened to 0700 if an older run made it
 * world-readable, so nothing under it is reachable by another user whatever its own mode.
 */
export function ensureDir(path: string): string {
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o700 });
  if (path === DATA_DIR || path.startsWith(DATA_DIR + sep)) tightenDataDir();
  return path;
}

let dataDirTightened = false;
function tightenDataDir(): void {
  if (dataDirTightened) return;
  if (existsSync(DATA_DIR) && (statSync(DATA_DIR).mode & 0o077) !== 0) chmodSync(DATA_DIR, 0o700);
  dataDirTightened = true;
}
