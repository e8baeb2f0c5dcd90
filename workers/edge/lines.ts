/**
 * A file's lines, streamed, with the file's sha256 and size computed in the same single read. Lines are split
 * on `\n` bytes (never inside a UTF-8 sequence); `endsWithNewline` says whether the last line was closed.
 */
import { createReadStream } from 'node:fs';
import { DigestCounter } from '../../audit/bundle/digest.js';
import type { FileDigest } from '../../audit/bundle/format.js';

export class HashedLines implements AsyncIterable<string> {
  private counter = new DigestCounter();
  private done = false;
  endsWithNewline = true;

  constructor(private readonly file: string) {}

  /** The file's digest; available once every line has been read. */
  get digest(): FileDigest {
    if (!this.done) throw new Error(`${this.file} has not been read to its end`);
    return this.counter.digest();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    let pending: Buffer[] = [];
    let sawBytes = false;
    for await (const chunk of createReadStream(this.file, { highWaterMark: 64 * 1024 })) {
      const buf = chunk as Buffer;
      this.counter.update(buf);
      sawBytes ||= buf.length > 0;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        pending.push(buf.subarray(start, nl));
        yield Buffer.concat(pending).toString('utf8');
        pending = [];
        start = nl + 1;
      }
      if (start < buf.length) pending.push(buf.subarray(start));
    }
    const rest = Buffer.concat(pending);
    this.endsWithNewline = !sawBytes || rest.length === 0;
    this.done = true;
    if (rest.length) yield rest.toString('utf8');
  }
}
