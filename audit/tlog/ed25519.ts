/**
 * Ed25519 (RFC 8032) from raw key bytes with node:crypto: the note formats carry a 32-byte seed and a
 * 32-byte public key, node:crypto wants DER, so the fixed PKCS#8 / SPKI prefixes for Ed25519 are added.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const SEED_SIZE = 32;
export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

export interface Ed25519Pair {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function newSeed(): Uint8Array {
  return new Uint8Array(randomBytes(SEED_SIZE));
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519Pair {
  if (seed.length !== SEED_SIZE) throw new TypeError(`an Ed25519 seed is ${SEED_SIZE} bytes, got ${seed.length}`);
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** A verify function for a raw public key; a malformed key or signature verifies nothing, it does not throw. */
export function verifierFor(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE) throw new TypeError(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes, got ${publicKey.length}`);
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return (message, signature) => signature.length === SIGNATURE_SIZE && verify(null, message, key, signature);
}
