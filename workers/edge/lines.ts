/**
 * A file's lines, streamed, with the file's sha256 and size computed in the same single read. Lines are split
 * on `\n` bytes (never inside a UTF-8 sequence); `endsWithNewline` says whether the last line was closed.
 */
import { createReadStream } from 'node:fs';
import { DigestCounter } from '../../audit/bundle/digest.js';
import type { FileDigest } from '../../audit/bundle/format.js';

/** The longest line read: an event is a few KB; a hostile export's gigabyte "line" must not be held. */
export const MAX_LINE_BYTES = 1 << 20;

/** What a line longer than the limit is read as (it is hashed whole, but its content is not kept). */
export const lineTooLong = (bytes: number): string => `\u0000line too long: ${bytes} bytes`;
export const isLineTooLong = (line: string): boolean => line.startsWith('\u0000line too long: ');

export class HashedLines implements AsyncIterable<string> {
  private counter = new DigestCounter();
  private done = false;
  endsWithNewline = true;

  constructor(
    private readonly file: string,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** The file's digest; available once every line has been read. */
  get digest(): FileDigest {
    if (!this.done) throw new Error(`${this.file} has not been read to its end`);
    return this.counter.digest();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    let pending: Buffer[] = [];
    let pendingBytes = 0; // of the current line, kept or not
    let sawBytes = false;
    const take = (piece: Buffer) => {
      pendingBytes += piece.length;
      if (pendingBytes <= this.maxLineBytes) pending.push(piece);
      else pending = [];
    };
    const line = () => (pendingBytes > this.maxLineBytes ? lineTooLong(pendingBytes) : Buffer.concat(pending).toString('utf8'));
    for await (const chunk of createReadStream(this.file, { highWaterMark: 64 * 1024 })) {
      const buf = chunk as Buffer;
      this.counter.update(buf);
      sawBytes ||= buf.length > 0;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        take(buf.subarray(start, nl));
        yield line();
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < buf.length) take(buf.subarray(start));
    }
    this.endsWithNewline = !sawBytes || pendingBytes === 0;
    this.done = true;
    if (pendingBytes) yield line();
  }
}
