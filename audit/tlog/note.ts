/**
 * C2SP signed notes (https://c2sp.org/signed-note, "Format" and "Signatures"): a text ending in a newline,
 * a blank line, then one or more lines `— <key name> <base64(key ID ‖ signature)>`.
 *
 * The grammar, the limits and the trust rules are note-text.ts (pure, shared with the page's verifier); this
 * module signs and verifies with the node:crypto keys of note-keys.ts, synchronously.
 */
import { utf8 } from './encoding.js';
import { TlogError } from './errors.js';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.js';
import { MAX_SIGNATURES, NoteTrust, checkCharacters, decodeNote, signatureLine, splitNote, type OpenedNote } from './note-text.js';

export { MAX_NOTE_BYTES, MAX_SIGNATURES, parseSignatureLine, signatureLine, type NoteSignature, type OpenedNote } from './note-text.js';

/** Signs `text` (which must end in a newline) with each signer: the complete signed note. */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  const list = Array.isArray(signers) ? (signers as readonly NoteSigner[]) : [signers as NoteSigner];
  if (list.length === 0) throw new TypeError('a note needs at least one signer');
  if (list.length > MAX_SIGNATURES) throw new TypeError(`at most ${MAX_SIGNATURES} signatures`);
  if (!text.endsWith('\n')) throw new TlogError('ERR_NOTE_MALFORMED', 'the note text must end in a newline');
  checkCharacters(text, 'the note text');
  const bytes = utf8(text);
  const lines = list.map((s) => {
    if (!isValidKeyName(s.name)) throw new TypeError(`invalid signer name ${JSON.stringify(s.name)}`);
    return signatureLine(s.name, s.keyId, s.sign(bytes));
  });
  return `${text}\n${lines.join('')}`;
}

/** Opens a signed note against the verifiers the caller trusts; throws a TlogError unless it may be trusted. */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const trust = new NoteTrust(splitNote(decodeNote(note)), verifiers);
  for (const { signature, verifier } of trust.checks()) {
    if (!verifier.verify(trust.note.textBytes, signature.signature)) throw trust.refused(signature);
  }
  return trust.opened();
}
