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
import { SEED_SIZE, keyPairFromSeed, newSeed, verifierFor } from './ed25519.js';
import { concatBytes, keyIdHex, toBase64 } from './encoding.js';
import { SIG_ED25519, cutKey, isValidKeyName, keyError, keyIdOfDigest, keyIdPreimage, readVerifierKey, splitKey, type VerifierKey } from './note-key-text.js';

// The key text (names, the split, the preimage of a key ID) lives in note-key-text.ts, pure, shared with the page.
export { SIG_COSIGNATURE_V1, SIG_ED25519, isValidKeyName, type VerifierKey } from './note-key-text.js';

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

export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  return keyIdOfDigest(createHash('sha256').update(keyIdPreimage(name, type, publicKey)).digest());
}

/** Parses a vkey of the given signature type (Ed25519 keys only: type 0x01 or 0x04). */
export function parseVerifierKey(vkey: string, type: number = SIG_ED25519): VerifierKey {
  const key = readVerifierKey(vkey, type);
  if (keyId(key.name, key.type, key.publicKey) !== key.keyId) throw keyError('the key id does not match the key');
  return key;
}

export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  return `${name}+${keyIdHex(keyId(name, type, publicKey))}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/** Parses an skey: the name, the seed, and the public key it derives (its key ID checked for `type`). */
export function parseSignerKey(skey: string, type: number = SIG_ED25519): { name: string; keyId: number; seed: Uint8Array; publicKey: Uint8Array } {
  const parts = cutKey(skey, 4);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw keyError('a signer key has the form PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  const key = splitKey(parts.slice(2), type);
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
