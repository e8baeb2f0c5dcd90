/**
 * C2SP signed notes (https://c2sp.org/signed-note, "Format" and "Signatures"): a text ending in a newline,
 * a blank line, then one or more lines `— <key name> <base64(key ID ‖ signature)>`.
 *
 * openNote follows the spec's trust rules: a signature whose (name, key ID) matches no known key is set
 * aside unverified; one that matches a known key must verify, or the whole note is refused; a note with no
 * verified signature is refused, because its text must not be trusted. Limits (which the spec asks for,
 * allowing no fewer than 16 signatures): 1 MiB and 100 signature lines, as Go's golang.org/x/mod/sumdb/note.
 * Every signature from a known key is checked, even a repeated one (Go skips repeats).
 */
import { concatBytes, fromBase64, keyIdHex, toBase64, utf8 } from './encoding.js';
import { TlogError } from './errors.js';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.js';

export const MAX_NOTE_BYTES = 1 << 20;
export const MAX_SIGNATURES = 100;
/** em dash U+2014, space */
const SIG_PREFIX = '\u2014 ';

export interface NoteSignature {
  name: string;
  keyId: number;
  /** the signature bytes after the 4-byte key ID */
  signature: Uint8Array;
}

export interface OpenedNote {
  /** the signed text, final newline included */
  text: string;
  /** signatures verified by a known key, in note order, one per key */
  signatures: NoteSignature[];
  /** signatures from keys not given, set aside (e.g. other witnesses), duplicates dropped */
  unverified: NoteSignature[];
}

const malformed = (why: string) => new TlogError('ERR_NOTE_MALFORMED', why);

/** Valid UTF-8 (as a string: no lone surrogate), no control character but newline, within the size limit. */
function checkCharacters(text: string, what: string): void {
  if (/\p{Cs}/u.test(text)) throw malformed(`${what} is not valid UTF-8`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw malformed(`${what} holds control character 0x${c.toString(16).padStart(2, '0')}`);
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES) throw malformed(`${what} is larger than ${MAX_NOTE_BYTES} bytes`);
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') return note;
  if (note.length > MAX_NOTE_BYTES) throw malformed(`the note is larger than ${MAX_NOTE_BYTES} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw malformed('the note is not valid UTF-8');
  }
}

/** The signature line one signer gives `text`. */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, keyId);
  return `${SIG_PREFIX}${name} ${toBase64(concatBytes(id, signature))}\n`;
}

/** Signs `text` (which must end in a newline) with each signer: the complete signed note. */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  const list = Array.isArray(signers) ? (signers as readonly NoteSigner[]) : [signers as NoteSigner];
  if (list.length === 0) throw new TypeError('a note needs at least one signer');
  if (list.length > MAX_SIGNATURES) throw new TypeError(`at most ${MAX_SIGNATURES} signatures`);
  if (!text.endsWith('\n')) throw malformed('the note text must end in a newline');
  checkCharacters(text, 'the note text');
  const bytes = utf8(text);
  const lines = list.map((s) => {
    if (!isValidKeyName(s.name)) throw new TypeError(`invalid signer name ${JSON.stringify(s.name)}`);
    return signatureLine(s.name, s.keyId, s.sign(bytes));
  });
  return `${text}\n${lines.join('')}`;
}

/** Parses one signature line (its newline optional); throws ERR_NOTE_MALFORMED. */
export function parseSignatureLine(line: string): NoteSignature {
  if (line.endsWith('\n')) line = line.slice(0, -1);
  if (!line.startsWith(SIG_PREFIX)) throw malformed('a signature line must start with an em dash and a space');
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const raw = space < 0 ? null : fromBase64(rest.slice(space + 1));
  if (!isValidKeyName(name)) throw malformed(`invalid key name ${JSON.stringify(name)} in a signature line`);
  if (!raw || raw.length < 5) throw malformed(`the signature of ${name} is not base64 of a key ID and a signature`);
  return { name, keyId: new DataView(raw.buffer, raw.byteOffset).getUint32(0), signature: raw.slice(4) };
}

/** Opens a signed note against the verifiers the caller trusts; throws a TlogError unless it may be trusted. */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const message = decodeNote(note);
  checkCharacters(message, 'the note');
  // The text ends at the last blank line; what follows is signatures only, each line ending in a newline.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('the signatures must be one or more lines, each ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  const parsed = lines.map(parseSignatureLine);

  const textBytes = utf8(text);
  const signatures: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKeys = new Set<string>();
  const seenLines = new Set<string>();
  for (const [i, sig] of parsed.entries()) {
    const known = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    const id = `${sig.name}+${keyIdHex(sig.keyId)}`;
    if (known.length > 1) throw new TlogError('ERR_NOTE_AMBIGUOUS_KEY', `more than one verifier for ${id}`);
    if (known.length === 0) {
      if (!seenLines.has(lines[i]!)) unverified.push(sig);
      seenLines.add(lines[i]!);
      continue;
    }
    if (!known[0]!.verify(textBytes, sig.signature)) throw new TlogError('ERR_NOTE_SIGNATURE', `the signature of ${id} does not verify`);
    if (!seenKeys.has(id)) signatures.push(sig);
    seenKeys.add(id);
  }
  if (signatures.length === 0) throw new TlogError('ERR_NOTE_UNVERIFIED', 'no signature from a known key');
  return { text, signatures, unverified };
}
