/**
 * The log's checkpoint opened against pinned keys in the page: the WebCrypto twin of
 * audit/tlog/pinned-checkpoint.ts, with the checkpoint body of audit/tlog/checkpoint.ts and the
 * cosignature/v1 verifier of audit/tlog/cosignature.ts (all three reach node:crypto through their imports).
 *
 *   log signature   Ed25519 over the note text, key type 0x01
 *   cosignature     u64 big-endian time ‖ Ed25519 over "cosignature/v1\ntime <t>\n" ‖ the checkpoint body, key type 0x04
 */
import { fromBase64, utf8 } from './bytes.js';
import { importEd25519Raw, verifyEd25519 } from './ed25519.js';
import { NoteError, SIG_COSIGNATURE_V1, SIG_ED25519, openNote, parseVerifierKey, type AsyncNoteVerifier } from './signed-note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

const malformed = (why: string) => new NoteError('ERR_CHECKPOINT_MALFORMED', why);
const SIZE = /^(?:0|[1-9][0-9]*)$/;
const HASH_SIZE = 32;
const TIMESTAMP_SIZE = 8;

function checkLine(line: string, what: string): void {
  if (line.length === 0) throw malformed(`the ${what} must be non-empty`);
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) < 0x20) throw malformed(`the ${what} holds a control character`);
}

/** A checkpoint body → its fields; throws ERR_CHECKPOINT_MALFORMED (checkpoint.ts parseCheckpoint). */
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

/** The log's verifier (type 0x01 vkey). */
export async function logVerifier(vkey: string): Promise<AsyncNoteVerifier> {
  const { name, keyId, publicKey } = await parseVerifierKey(vkey, SIG_ED25519);
  const key = await importEd25519Raw(publicKey);
  return { name, keyId, verify: (text, signature) => verifyEd25519(key, signature, text) };
}

/** A witness's cosignature/v1 verifier (type 0x04 vkey). */
export async function cosignatureVerifier(vkey: string): Promise<AsyncNoteVerifier> {
  const { name, keyId, publicKey } = await parseVerifierKey(vkey, SIG_COSIGNATURE_V1);
  const key = await importEd25519Raw(publicKey);
  return {
    name,
    keyId,
    async verify(text, signature) {
      if (signature.length !== TIMESTAMP_SIZE + 64) return false;
      const time = new DataView(signature.buffer, signature.byteOffset).getBigUint64(0);
      if (time > BigInt(Number.MAX_SAFE_INTEGER)) return false;
      const body = new TextDecoder().decode(text);
      try {
        parseCheckpoint(body); // only a checkpoint can be cosigned
      } catch {
        return false;
      }
      return verifyEd25519(key, signature.subarray(TIMESTAMP_SIZE), utf8(`cosignature/v1\ntime ${time}\n${body}`));
    },
  };
}

export type PinnedCheckpoint =
  | { ok: true; size: number; root: Uint8Array; origin: string; logSigners: string[]; missingWitnesses: string[]; witnessed: string[] }
  | { ok: false; reason: 'unsigned' | 'malformed'; detail: string; missingWitnesses: string[] };

/** openPinnedCheckpoint of audit/tlog/pinned-checkpoint.ts: never throws on a bad note (a malformed pinned key does). */
export async function openPinnedCheckpoint(note: string, logKeys: readonly string[], witnessKeys: readonly string[]): Promise<PinnedCheckpoint> {
  const logVerifiers = await Promise.all(logKeys.map(logVerifier));
  const witnessVerifiers = await Promise.all(witnessKeys.map(cosignatureVerifier));
  let missingWitnesses: string[] = [];
  try {
    const opened = await openNote(note, [...logVerifiers, ...witnessVerifiers]);
    const signedBy = new Set(opened.signatures.map((sig) => `${sig.name}+${sig.keyId}`));
    const signed = (v: AsyncNoteVerifier) => signedBy.has(`${v.name}+${v.keyId}`);
    const logSigners = logVerifiers.filter(signed).map((v) => v.name);
    if (logSigners.length === 0) return { ok: false, reason: 'unsigned', detail: 'not signed by a pinned log key', missingWitnesses };
    missingWitnesses = witnessVerifiers.filter((v) => !signed(v)).map((v) => v.name);
    const { origin, size, root } = parseCheckpoint(opened.text);
    return { ok: true, size, root, origin, logSigners, missingWitnesses, witnessed: witnessVerifiers.filter(signed).map((v) => v.name) };
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: (err as Error).message, missingWitnesses };
  }
}

/** The checkpoint body of a note without checking any signature: for display when no log key is pinned. */
export function unverifiedCheckpoint(note: string): Checkpoint | null {
  const split = note.lastIndexOf('\n\n');
  try {
    return split < 0 ? null : parseCheckpoint(note.slice(0, split + 1));
  } catch {
    return null;
  }
}
