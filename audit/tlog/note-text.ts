/**
 * The text of C2SP signed notes (https://c2sp.org/signed-note, "Format" and "Signatures") and their trust
 * rules, without the signature checks: pure (no Node built-in) so that note.ts (node:crypto, synchronous)
 * and the page's signed-note.ts (WebCrypto, async) read a note by one rule and differ only in how they
 * verify one signature.
 *
 * Limits (which the spec asks for, allowing no fewer than 16 signatures): 1 MiB and 100 signature lines, as
 * Go's golang.org/x/mod/sumdb/note.
 */
import { concatBytes, fromBase64, keyIdHex, toBase64, utf8, utf8Length } from './encoding.js';
import { TlogError } from './errors.js';
import { isValidKeyName } from './note-key-text.js';

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

/** What a verifier is known by: the (name, key ID) a signature line names. */
export interface NoteKeyRef {
  readonly name: string;
  readonly keyId: number;
}

const malformed = (why: string) => new TlogError('ERR_NOTE_MALFORMED', why);

/** Valid UTF-8 (as a string: no lone surrogate), no control character but newline, within the size limit. */
export function checkCharacters(text: string, what: string): void {
  if (/\p{Cs}/u.test(text)) throw malformed(`${what} is not valid UTF-8`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw malformed(`${what} holds control character 0x${c.toString(16).padStart(2, '0')}`);
  }
  if (utf8Length(text) > MAX_NOTE_BYTES) throw malformed(`${what} is larger than ${MAX_NOTE_BYTES} bytes`);
}

/** A note given as bytes → its text (strict UTF-8, within the size limit); a string is taken as it is. */
export function decodeNote(note: string | Uint8Array): string {
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

/** A signed note cut into its text and its signature lines, none of them checked yet. */
export interface SplitNote {
  text: string;
  /** the text's UTF-8 bytes: what each signature is over */
  textBytes: Uint8Array;
  /** each signature line, without its newline */
  lines: string[];
  signatures: NoteSignature[];
}

/** A note's text → its signed text and signature lines, by the grammar and limits; throws ERR_NOTE_MALFORMED. */
export function splitNote(message: string): SplitNote {
  checkCharacters(message, 'the note');
  // The text ends at the last blank line; what follows is signatures only, each line ending in a newline.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('the signatures must be one or more lines, each ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  return { text, lines, signatures: lines.map(parseSignatureLine), textBytes: utf8(text) };
}

/**
 * The spec's trust rules over a split note, in note order: a signature whose (name, key ID) matches no known
 * key is set aside unverified (each distinct line once); one that matches a known key must verify, or the
 * whole note is refused; a note with no verified signature is refused, because its text must not be trusted.
 * Every signature from a known key is checked, even a repeated one (Go skips repeats).
 *
 * The caller verifies: `checks()` yields each signature with the one verifier that must check it, and the
 * caller throws `refused(…)` when it does not hold — a check the caller does not throw for counts as
 * verified. Then `opened()`.
 */
export class NoteTrust<V extends NoteKeyRef> {
  private readonly signatures: NoteSignature[] = [];
  private readonly unverified: NoteSignature[] = [];

  constructor(
    readonly note: SplitNote,
    private readonly verifiers: readonly V[],
  ) {}

  *checks(): Generator<{ signature: NoteSignature; verifier: V }, void, undefined> {
    const seenKeys = new Set<string>();
    const seenLines = new Set<string>();
    for (const [i, sig] of this.note.signatures.entries()) {
      const known = this.verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
      if (known.length > 1) throw new TlogError('ERR_NOTE_AMBIGUOUS_KEY', `more than one verifier for ${keyName(sig)}`);
      if (known.length === 0) {
        if (!seenLines.has(this.note.lines[i]!)) this.unverified.push(sig);
        seenLines.add(this.note.lines[i]!);
        continue;
      }
      yield { signature: sig, verifier: known[0]! };
      if (!seenKeys.has(keyName(sig))) this.signatures.push(sig);
      seenKeys.add(keyName(sig));
    }
  }

  /** The error for a signature from a known key that does not verify. */
  refused(signature: NoteSignature): TlogError {
    return new TlogError('ERR_NOTE_SIGNATURE', `the signature of ${keyName(signature)} does not verify`);
  }

  /** After every check: the opened note, or ERR_NOTE_UNVERIFIED when no known key signed it. */
  opened(): OpenedNote {
    if (this.signatures.length === 0) throw new TlogError('ERR_NOTE_UNVERIFIED', 'no signature from a known key');
    return { text: this.note.text, signatures: this.signatures, unverified: this.unverified };
  }
}

const keyName = (sig: NoteKeyRef) => `${sig.name}+${keyIdHex(sig.keyId)}`;
