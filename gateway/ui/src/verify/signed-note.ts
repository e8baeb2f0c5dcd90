/**
 * C2SP signed notes and their verifier keys, checked with WebCrypto: the async twin of audit/tlog/note.ts
 * (openNote) and audit/tlog/note-keys.ts (parseVerifierKey, keyId), whose Ed25519 is node:crypto and
 * synchronous. Only the hashing and the signature checks are the page's own: the grammar, the limits and the
 * trust rules are audit/tlog/note-text.ts and audit/tlog/note-key-text.ts, the same modules the Node side runs.
 */
import { TlogError } from '../../../../audit/tlog/errors.js';
import { keyIdOfDigest, keyIdPreimage, readVerifierKey, type VerifierKey } from '../../../../audit/tlog/note-key-text.js';
import { MAX_NOTE_BYTES, NoteTrust, splitNote, type OpenedNote } from '../../../../audit/tlog/note-text.js';
import { sha256 } from './hash.js';

export interface AsyncNoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
export async function keyId(name: string, type: number, publicKey: Uint8Array): Promise<number> {
  return keyIdOfDigest(await sha256(keyIdPreimage(name, type, publicKey)));
}

/** A pinned key is the page's configuration: a bad one is a TypeError, never a verdict. */
const configError = (why: string) => new TypeError(why);

/** Parses a vkey `<name>+<hex key id>+<base64(type ‖ key)>`; throws TypeError. */
export async function parseVerifierKey(vkey: string, type: number): Promise<VerifierKey> {
  const key = readVerifierKey(vkey, type, configError);
  if ((await keyId(key.name, key.type, key.publicKey)) !== key.keyId) throw configError('the key id does not match the key');
  return key;
}

/** openNote of audit/tlog/note.ts, awaited; throws a TlogError unless the note may be trusted. */
export async function openNote(message: string, verifiers: readonly AsyncNoteVerifier[]): Promise<OpenedNote> {
  // Longer in UTF-16 units is longer in bytes: refused before the text is scanned.
  if (message.length > MAX_NOTE_BYTES) throw new TlogError('ERR_NOTE_MALFORMED', `the note is larger than ${MAX_NOTE_BYTES} bytes`);
  const trust = new NoteTrust(splitNote(message), verifiers);
  for (const { signature, verifier } of trust.checks()) {
    if (!(await verifier.verify(trust.note.textBytes, signature.signature))) throw trust.refused(signature);
  }
  return trust.opened();
}
