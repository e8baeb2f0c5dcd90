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
/** The workers' publish journal (activities/publish-journal.ts): one per host, shared by its workers. */
export const WORKER_JOURNAL_DIR = resolve(config().COORD_WORKER_JOURNAL_DIR ?? join(DATA_DIR, 'worker-journal'));

/**
 * `path` and its missing parents. Under the data folder (databases, keys, logs) they are created owner-only
 * (0700), and the data folder itself is tightened to 0700 if an older run made it world-readable, so nothing
 * under it is reachable by another user whatever its own mode. Elsewhere (the download cache, scratch
 * folders a test server's unprivileged user must enter) the umask decides.
 */
export function ensureDir(path: string): string {
  const underData = path === DATA_DIR || path.startsWith(DATA_DIR + sep);
  if (!existsSync(path)) mkdirSync(path, { recursive: true, ...(underData ? { mode: 0o700 } : {}) });
  if (underData) tightenDataDir();
  return path;
}

let dataDirTightened = false;
function tightenDataDir(): void {
  if (dataDirTightened) return;
  if (existsSync(DATA_DIR) && (statSync(DATA_DIR).mode & 0o077) !== 0) chmodSync(DATA_DIR, 0o700);
  dataDirTightened = true;
}
