import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in infra/stack/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Downloads (binaries, jars, wheels). Shareable between clones: set COORD_CACHE_DIR to reuse one. */
export const CACHE_DIR = resolve(process.env.COORD_CACHE_DIR ?? join(ROOT, '.cache'));

/** Runtime data of the local stack: databases, logs, pid files, IdP keys. One per clone. */
export const DATA_DIR = resolve(process.env.COORD_DATA_DIR ?? join(ROOT, '.data'));

export const RUN_DIR = join(DATA_DIR, 'run');
export const LOG_DIR = join(DATA_DIR, 'logs');

export function ensureDir(path: string): string {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
  return path;
}
