/** sha256 and size of a file, streamed: a bundle's files are checked without holding them in memory. */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileDigest } from './format.js';

/** Hashes bytes as they pass, for files written or read in one streaming pass. */
export class DigestCounter {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  update(chunk: Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.hash.update(bytes);
    this.count += bytes.length;
  }

  digest(): FileDigest {
    return { sha256: `sha256:${this.hash.digest('hex')}`, bytes: this.count };
  }
}

export async function digestFile(path: string): Promise<FileDigest> {
  const counter = new DigestCounter();
  for await (const chunk of createReadStream(path)) counter.update(chunk as Buffer);
  return counter.digest();
}
