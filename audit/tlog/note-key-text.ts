/**
 * The text of signed-note keys (https://c2sp.org/signed-note, "Signatures" and "Verifier keys"), without the
 * hashing: key names, the `name+hex+base64` split, and what a key ID is computed over. Pure (no Node
 * built-in) so that note-keys.ts (node:crypto, synchronous) and the page's signed-note.ts (WebCrypto, async)
 * read keys by one rule and differ only in how they take the SHA-256 of keyIdPreimage.
 */
import { concatBytes, fromBase64, utf8 } from './encoding.js';
import { TlogError } from './errors.js';

/** Signature type bytes (signed-note "Signature types"). */
export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
/** Every key here is Ed25519: a 32-byte public key, a 32-byte seed. */
export const ED25519_KEY_SIZE = 32;

/** A parsed vkey. */
export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

/** How a bad key string is reported: a TlogError ERR_NOTE_KEY by default; the page makes it a TypeError (its configuration). */
export type KeyFault = (why: string) => Error;
export const keyError: KeyFault = (why) => new TlogError('ERR_NOTE_KEY', why);

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

/** What the key ID hashes: key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
export const keyIdPreimage = (name: string, type: number, publicKey: Uint8Array): Uint8Array => concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey);

/** The key ID: the first four bytes of the SHA-256 of keyIdPreimage, big-endian. */
export const keyIdOfDigest = (digest: Uint8Array): number => new DataView(digest.buffer, digest.byteOffset).getUint32(0);

/** Cuts `text` at its first `count` plus signs (base64 holds plus signs too, so the last part may). */
export function cutKey(text: string, count: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = text.indexOf('+');
    if (at < 0) break;
    parts.push(text.slice(0, at));
    text = text.slice(at + 1);
  }
  return [...parts, text];
}

/** `name+hex+base64` (already cut) → its parts, the key material of signature type `type`. */
export function splitKey(parts: string[], type: number, fail: KeyFault = keyError): { name: string; keyId: number; material: Uint8Array } {
  if (parts.length !== 3) throw fail('a key has the form <name>+<hex key id>+<base64 key>');
  const [name, hex, b64] = parts as [string, string, string];
  if (!isValidKeyName(name)) throw fail(`invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(hex)) throw fail('the key id must be 8 lowercase hex digits');
  const bytes = fromBase64(b64);
  if (!bytes || bytes.length < 2) throw fail('the key material is not base64 of a type byte and a key');
  if (bytes[0] !== type) throw fail(`signature type 0x${bytes[0]!.toString(16).padStart(2, '0')}, expected 0x${type.toString(16).padStart(2, '0')}`);
  return { name, keyId: Number.parseInt(hex, 16), material: bytes.subarray(1) };
}

/**
 * A vkey of signature type `type` (an Ed25519 key: 0x01 or 0x04) read as text: its key ID as written, not
 * yet checked against the key (the caller hashes keyIdPreimage and compares, with the fault it was given).
 */
export function readVerifierKey(vkey: string, type: number, fail: KeyFault = keyError): VerifierKey {
  const key = splitKey(cutKey(vkey, 2), type, fail);
  if (key.material.length !== ED25519_KEY_SIZE) throw fail(`an Ed25519 public key is ${ED25519_KEY_SIZE} bytes`);
  return { name: key.name, keyId: key.keyId, type, publicKey: key.material };
}
