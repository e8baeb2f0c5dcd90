/**
 * Files only their owner can read: data, keys, logs (0600, folders 0700). A process that holds secrets or
 * audit data calls `restrictNewFilesToOwner()` first thing, so every file and folder it creates afterwards —
 * by any library, SQLite's -wal/-shm included — is created that way; `privateAppendStream` opens a log file
 * 0600 and tightens one that already exists.
 */
import { chmodSync, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Clears group and other bits of every file and folder the process creates from now on. */
export const OWNER_ONLY_UMASK = 0o077;

/** Sets the process umask to owner-only; returns the previous one. */
export function restrictNewFilesToOwner(): number {
  return process.umask(OWNER_ONLY_UMASK);
}

/** `dir` and its missing parents, created 0700; an existing `dir` is tightened to 0700. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** An append stream to `file` (created 0600 in a 0700 folder; an existing file is tightened to 0600). */
export function privateAppendStream(file: string): WriteStream {
  ensurePrivateDir(dirname(file));
  const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  stream.once('open', () => chmodSync(file, 0o600));
  return stream;
}
