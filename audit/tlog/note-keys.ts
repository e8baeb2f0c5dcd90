/**
 * Keys of C2SP signed notes (https://c2sp.org/signed-note, "Signatures" and "Verifier keys"):
 *
 *   key ID   = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian
 *   vkey     = <name>+<hex key ID>+<base64(signature type ‖ public key)>
 *   skey     = PRIVATE+KEY+<name>+<hex key ID>+<base64(signature type ‖ Ed25519 seed)>
 *
 * The skey form is not in the spec; it is the one of Go's golang.org/x/mod/sumdb/note, so keys move between
 * this code and the Go tools (and the witnesses built on them) unchanged.
 */
import { createHash } from 'node:crypto';
import { PUBLIC_KEY_SIZE, SEED_SIZE, keyPairFromSeed, newSeed, verifierFor } from './ed25519.js';
import { concatBytes, fromBase64, keyIdHex, toBase64, utf8 } from './encoding.js';
import { TlogError } from './errors.js';

/** Signature type bytes (signed-note "Signature types"). */
export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** the signature over the note text (what follows the key ID in the signature line) */
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A parsed vkey. */
export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

// Unicode spaces (as Go's unicode.IsSpace, which the Go implementation checks: \s and U+0085).
const SPACE = /[\s\u0085]/u;

/** Non-empty, no Unicode space, no plus; nor a control character or lone surrogate, which no note may hold. */
export function isValidKeyName(name: string): boolean {
  if (name.length === 0) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || ch === '+' || SPACE.test(ch) || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(utf8(name)).update(Uint8Array.of(0x0a, type)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

const keyError = (why: string) => new TlogError('ERR_NOTE_KEY', why);

/** Cuts `text` at its first `count` plus signs (base64 holds plus signs too, so the last part may). */
function cut(text: string, count: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = text.indexOf('+');
    if (at < 0) break;
    parts.push(text.slice(0, at));
    text = text.slice(at + 1);
  }
  return [...parts, text];
}

/** `name+hex+base64` → its parts. */
function splitKey(parts: string[]): { name: string; keyId: number; type: number; material: Uint8Array } {
  if (parts.length !== 3) throw keyError('a key has the form <name>+<hex key id>+<base64 key>');
  const [name, hex, b64] = parts as [string, string, string];
  if (!isValidKeyName(name)) throw keyError(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(hex)) throw keyError('the key id must be 8 lowercase hex digits');
  const bytes = fromBase64(b64);
  if (!bytes || bytes.length < 2) throw keyError('the key material is not base64 of a type byte and a key');
  return { name, keyId: Number.parseInt(hex, 16), type: bytes[0]!, material: bytes.subarray(1) };
}

/** Parses a vkey of the given signature type (Ed25519 keys only: type 0x01 or 0x04). */
export function parseVerifierKey(vkey: string, type: number = SIG_ED25519): VerifierKey {
  const key = splitKey(cut(vkey, 2));
  if (key.type !== type) throw keyError(`signature type 0x${key.type.toString(16).padStart(2, '0')}, expected 0x${type.toString(16).padStart(2, '0')}`);
  if (key.material.length !== PUBLIC_KEY_SIZE) throw keyError(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes`);
  if (keyId(key.name, key.type, key.material) !== key.keyId) throw keyError('the key id does not match the key');
  return { name: key.name, keyId: key.keyId, type: key.type, publicKey: key.material };
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  return `${name}+${keyIdHex(keyId(name, type, publicKey))}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/** Parses an skey: the name, the seed, and the public key it derives (its key ID checked for `type`). */
export function parseSignerKey(skey: string, type: number = SIG_ED25519): { name: string; keyId: number; seed: Uint8Array; publicKey: Uint8Array } {
  const parts = cut(skey, 4);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw keyError('a signer key has the form PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  const key = splitKey(parts.slice(2));
  if (key.type !== type) throw keyError(`signature type 0x${key.type.toString(16).padStart(2, '0')}, expected 0x${type.toString(16).padStart(2, '0')}`);
  if (key.material.length !== SEED_SIZE) throw keyError(`an Ed25519 seed is ${SEED_SIZE} bytes`);
  const { publicKey } = keyPairFromSeed(key.material);
  if (keyId(key.name, type, publicKey) !== key.keyId) throw keyError('the key id does not match the key');
  return { name: key.name, keyId: key.keyId, seed: key.material, publicKey };
}

export function formatSignerKey(name: string, type: number, seed: Uint8Array): string {
  const { publicKey } = keyPairFromSeed(seed);
  return `PRIVATE+KEY+${name}+${keyIdHex(keyId(name, type, publicKey))}+${toBase64(concatBytes(Uint8Array.of(type), seed))}`;
}

/** A fresh Ed25519 key for signing notes: the skey to keep secret and the vkey to publish. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  const seed = newSeed();
  return { signerKey: formatSignerKey(name, SIG_ED25519, seed), verifierKey: formatVerifierKey(name, SIG_ED25519, keyPairFromSeed(seed).publicKey) };
}

/** An Ed25519 note signer (signature type 0x01) from its skey. */
export function noteSigner(skey: string): NoteSigner {
  const { name, seed } = parseSignerKey(skey, SIG_ED25519);
  return noteSignerFromSeed(name, seed);
}

/** An Ed25519 note signer from a 32-byte seed kept in another form (e.g. the `d` of an Ed25519 JWK). */
export function noteSignerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  const pair = keyPairFromSeed(seed);
  return { name, keyId: keyId(name, SIG_ED25519, pair.publicKey), sign: (text) => pair.sign(text) };
}

/** An Ed25519 note verifier (signature type 0x01) from its vkey. */
export function noteVerifier(vkey: string): NoteVerifier {
  const { name, keyId: id, publicKey } = parseVerifierKey(vkey, SIG_ED25519);
  const verify = verifierFor(publicKey);
  return { name, keyId: id, verify: (text, signature) => verify(text, signature) };
}
