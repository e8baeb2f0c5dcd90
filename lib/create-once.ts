/** Creating a file exactly once, even when several processes race to create it. */
import { linkSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `file` unless it exists. Written aside, then linked into place: a concurrent reader sees
 * no file or a whole one, and when another process created it first, theirs is kept.
 */
export function createFileOnce(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}
