/**
 * C2SP signed notes and their verifier keys, checked with WebCrypto: the async twin of audit/tlog/note.ts
 * (openNote) and audit/tlog/note-keys.ts (parseVerifierKey, keyId), whose Ed25519 is node:crypto and
 * synchronous. Same grammar, limits and trust rules: a signature from an unknown key is set aside; one from
 * a known key must verify or the whole note is refused; a note no known key signed is refused.
 */
import { concatBytes, fromBase64, utf8, utf8Length } from './bytes.js';
import { sha256 } from './hash.js';
import { MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES } from './limits.js';

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
/** em dash U+2014, space */
const SIG_PREFIX = '\u2014 ';
const SPACE = /[\s\u0085]/u;

/** Why a note is refused: audit/tlog/errors.ts codes. */
export class NoteError extends Error {
  override name = 'NoteError';
  constructor(
    readonly code: 'ERR_NOTE_MALFORMED' | 'ERR_NOTE_SIGNATURE' | 'ERR_NOTE_UNVERIFIED' | 'ERR_NOTE_AMBIGUOUS_KEY' | 'ERR_CHECKPOINT_MALFORMED',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export interface AsyncNoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

/** Non-empty, no Unicode space, no plus, no control character or lone surrogate (note-keys.ts isValidKeyName). */
export function isValidKeyName(name: string): boolean {
  if (name.length === 0) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || ch === '+' || SPACE.test(ch) || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
export async function keyId(name: string, type: number, publicKey: Uint8Array): Promise<number> {
  const digest = await sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0);
}

/** Parses a vkey `<name>+<hex key id>+<base64(type ‖ key)>`; throws TypeError (a pinned key is configuration). */
export async function parseVerifierKey(vkey: string, type: number): Promise<VerifierKey> {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new TypeError('a verifier key has the form <name>+<hex key id>+<base64 key>');
  const [name, hex, b64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(hex)) throw new TypeError('the key id must be 8 lowercase hex digits');
  const bytes = fromBase64(b64);
  if (!bytes || bytes.length < 2) throw new TypeError('the key material is not base64 of a type byte and a key');
  if (bytes[0] !== type) throw new TypeError(`signature type 0x${bytes[0]!.toString(16).padStart(2, '0')}, expected 0x${type.toString(16).padStart(2, '0')}`);
  const publicKey = bytes.subarray(1);
  if (publicKey.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
  const id = Number.parseInt(hex, 16);
  if ((await keyId(name, type, publicKey)) !== id) throw new TypeError('the key id does not match the key');
  return { name, keyId: id, type, publicKey };
}

const malformed = (why: string) => new NoteError('ERR_NOTE_MALFORMED', why);

function checkCharacters(text: string, what: string): void {
  if (/\p{Cs}/u.test(text)) throw malformed(`${what} is not valid UTF-8`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw malformed(`${what} holds control character 0x${c.toString(16).padStart(2, '0')}`);
  }
  if (utf8Length(text) > MAX_NOTE_BYTES) throw malformed(`${what} is larger than ${MAX_NOTE_BYTES} bytes`);
}

/** One signature line (its newline optional); throws ERR_NOTE_MALFORMED. */
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

export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
  unverified: NoteSignature[];
}

/** openNote of audit/tlog/note.ts, awaited; throws a NoteError unless the note may be trusted. */
export async function openNote(message: string, verifiers: readonly AsyncNoteVerifier[]): Promise<OpenedNote> {
  if (message.length > MAX_NOTE_BYTES) throw malformed(`the note is larger than ${MAX_NOTE_BYTES} bytes`);
  checkCharacters(message, 'the note');
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('the signatures must be one or more lines, each ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const parsed = lines.map(parseSignatureLine);

  const textBytes = utf8(text);
  const signatures: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKeys = new Set<string>();
  const seenLines = new Set<string>();
  for (const [i, sig] of parsed.entries()) {
    const known = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    const id = `${sig.name}+${sig.keyId.toString(16).padStart(8, '0')}`;
    if (known.length > 1) throw new NoteError('ERR_NOTE_AMBIGUOUS_KEY', `more than one verifier for ${id}`);
    if (known.length === 0) {
      if (!seenLines.has(lines[i]!)) unverified.push(sig);
      seenLines.add(lines[i]!);
      continue;
    }
    if (!(await known[0]!.verify(textBytes, sig.signature))) throw new NoteError('ERR_NOTE_SIGNATURE', `the signature of ${id} does not verify`);
    if (!seenKeys.has(id)) signatures.push(sig);
    seenKeys.add(id);
  }
  if (signatures.length === 0) throw new NoteError('ERR_NOTE_UNVERIFIED', 'no signature from a known key');
  return { text, signatures, unverified };
}
