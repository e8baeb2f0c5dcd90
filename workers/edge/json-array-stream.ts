/**
 * The elements of one array in a large JSON file, one at a time: `arrayElements(file, "compositions")`
 * yields the raw JSON text of each element of the top-level object's `compositions` array, so history.json
 * is replayed composition by composition without ever holding the whole file. A small scanner (strings,
 * escapes, nesting), not a parser: each element is parsed by JSON.parse once it is complete.
 */
import { createReadStream } from 'node:fs';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN = new Set([123, 91]); // { [
const CLOSE = new Set([125, 93]); // } ]
const BRACKET = 91;

export async function* arrayElements(file: string, key: string): AsyncGenerator<string> {
  let depth = 0;
  let inString = false;
  let escape = false;
  // keys of the top-level object
  let expectKey = false;
  let capturingKey = false;
  let keyPieces: string[] = [];
  let lastKey: string | null = null;
  let valueOf: string | null = null;
  // the target array
  let inTarget = false;
  let finished = false;
  let pieces: string[] = [];

  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }) as AsyncIterable<string>) {
    const ready: string[] = [];
    let seg = inTarget ? 0 : -1;
    let keyStart = capturingKey ? 0 : -1;
    const flush = (end: number) => {
      const text = (pieces.join('') + chunk.slice(seg, end)).trim();
      pieces = [];
      if (text) ready.push(text);
    };
    for (let i = 0; i < chunk.length && !finished; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) {
          inString = false;
          if (capturingKey) {
            lastKey = JSON.parse(`"${keyPieces.join('')}${chunk.slice(keyStart, i)}"`) as string;
            capturingKey = false;
            expectKey = false;
          }
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && expectKey) {
          capturingKey = true;
          keyPieces = [];
          keyStart = i + 1;
        }
      } else if (OPEN.has(c)) {
        if (depth === 1 && c === BRACKET && valueOf === key && !inTarget) {
          inTarget = true;
          seg = i + 1;
        } else if (depth === 0) {
          expectKey = true;
        }
        depth += 1;
      } else if (CLOSE.has(c)) {
        if (inTarget && depth === 2) {
          flush(i);
          inTarget = false;
          finished = true;
        }
        depth -= 1;
      } else if (depth === 1 && c === COLON) {
        valueOf = lastKey;
      } else if (depth === 1 && c === COMMA) {
        expectKey = true;
        valueOf = null;
      } else if (inTarget && depth === 2 && c === COMMA) {
        flush(i);
        seg = i + 1;
      }
    }
    if (inTarget) pieces.push(chunk.slice(seg));
    if (capturingKey) keyPieces.push(chunk.slice(keyStart));
    yield* ready;
    if (finished) return;
  }
  throw new SyntaxError(inTarget ? `${file} ends inside the "${key}" array` : `${file} has no top-level "${key}" array`);
}
