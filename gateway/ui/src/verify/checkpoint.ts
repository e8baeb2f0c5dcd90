/**
 * The log's checkpoint opened against pinned keys in the page: the WebCrypto twin of
 * audit/tlog/pinned-checkpoint.ts and of the cosignature/v1 verifier of audit/tlog/cosignature.ts (both reach
 * node:crypto through their imports). The checkpoint body is parsed by audit/tlog/checkpoint.ts itself.
 *
 *   log signature   Ed25519 over the note text, key type 0x01
 *   cosignature     u64 big-endian time ‖ Ed25519 over "cosignature/v1\ntime <t>\n" ‖ the checkpoint body, key type 0x04
 */
import { parseCheckpoint, type Checkpoint } from '../../../../audit/tlog/checkpoint.js';
import { SIG_COSIGNATURE_V1, SIG_ED25519 } from '../../../../audit/tlog/note-key-text.js';
import { utf8 } from './bytes.js';
import { importEd25519Raw, verifyEd25519 } from './ed25519.js';
import { openNote, parseVerifierKey, type AsyncNoteVerifier } from './signed-note.js';

const TIMESTAMP_SIZE = 8;

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
