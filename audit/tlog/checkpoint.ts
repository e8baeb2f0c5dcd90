/**
 * C2SP checkpoints (https://c2sp.org/tlog-checkpoint, "Note text"): the body of the log's signed note.
 *
 *   <origin>\n<tree size, decimal, no leading zero>\n<base64 root hash>\n[<extension line>\n]*
 *
 * Parsing is strict where the spec is: a non-empty origin, a canonical size, a 32-byte SHA-256 root (RFC 6962
 * trees), non-empty extension lines. Sizes stay below 2^53 (JavaScript numbers); a larger one is refused.
 * Pure (no Node built-in): the page's verifier (gateway/ui/src/verify/checkpoint.ts) parses with it too.
 */
import { fromBase64, toBase64 } from './encoding.js';
import { TlogError } from './errors.js';
import { HASH_SIZE } from './tree-math.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** opaque extension lines, without their newlines (the spec advises against using them) */
  extensions: string[];
}

const malformed = (why: string) => new TlogError('ERR_CHECKPOINT_MALFORMED', why);
const SIZE = /^(?:0|[1-9][0-9]*)$/;

function checkLine(line: string, what: string): void {
  if (line.length === 0) throw malformed(`the ${what} must be non-empty`);
  if (line.includes('\n')) throw malformed(`the ${what} must be one line`);
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) < 0x20) throw malformed(`the ${what} holds a control character`);
}

/** The note text of a checkpoint, ready to sign with signNote. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions } = checkpoint;
  checkLine(origin, 'origin');
  if (!Number.isSafeInteger(size) || size < 0) throw malformed(`the tree size must be a non-negative safe integer, got ${size}`);
  if (root.length !== HASH_SIZE) throw malformed(`the root hash must be ${HASH_SIZE} bytes, got ${root.length}`);
  for (const line of extensions) checkLine(line, 'extension line');
  return [origin, String(size), toBase64(root), ...extensions].map((line) => `${line}\n`).join('');
}

/** A checkpoint body (the text of an opened note) → its fields; throws ERR_CHECKPOINT_MALFORMED. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw malformed('the body must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('a checkpoint has at least three lines: origin, tree size, root hash');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'origin');
  if (!SIZE.test(sizeLine)) throw malformed(`the tree size ${JSON.stringify(sizeLine)} is not a decimal without leading zeros`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw malformed(`the tree size ${sizeLine} is beyond 2^53 − 1`);
  const root = fromBase64(rootLine);
  if (!root || root.length !== HASH_SIZE) throw malformed(`the root hash must be base64 of ${HASH_SIZE} bytes`);
  for (const line of extensions) checkLine(line, 'extension line');
  return { origin, size, root, extensions };
}
