/**
 * Ed25519 public keys through WebCrypto: from a JWK (the form of the project's bundle and emitter keys,
 * audit/ed25519-jwk.ts) or from 32 raw bytes (the form signed-note keys carry), their RFC 7638 thumbprint,
 * and a verify that never throws on a malformed signature.
 */
import { toBase64Url, utf8 } from './bytes.js';
import { sha256 } from './hash.js';
import type { PublicJwk } from './types.js';

export interface Ed25519Public {
  /** the JWK's x (base64url of the 32-byte key) */
  x: string;
  key: CryptoKey;
}

type CryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;
const ED25519 = { name: 'Ed25519' } as const;
export const SIGNATURE_SIZE = 64;
export const PUBLIC_KEY_SIZE = 32;

/** The `x` of an Ed25519 public JWK, or null (audit/ed25519-jwk.ts ed25519PublicJwk's rule). */
export function ed25519X(jwk: unknown): string | null {
  if (typeof jwk !== 'object' || jwk === null) return null;
  const k = jwk as Record<string, unknown>;
  return k.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.x === 'string' && B64URL_32.test(k.x) ? k.x : null;
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url (audit/ed25519-jwk.ts ed25519Kid). */
export async function ed25519Thumbprint(x: string): Promise<string> {
  return toBase64Url(await sha256(utf8(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`)));
}

/** Imports a public JWK; throws TypeError naming `what` when it is not an Ed25519 public key. */
export async function importEd25519Jwk(jwk: PublicJwk | unknown, what: string): Promise<Ed25519Public> {
  const x = ed25519X(jwk);
  if (!x) throw new TypeError(`${what} is not an Ed25519 JWK (kty "OKP", crv "Ed25519", x)`);
  try {
    return { x, key: await globalThis.crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x }, ED25519, false, ['verify']) };
  } catch (err) {
    throw new TypeError(`${what} does not import as an Ed25519 key: ${(err as Error).message}`);
  }
}

/** Imports 32 raw public key bytes (signed-note verifier keys). */
export async function importEd25519Raw(publicKey: Uint8Array): Promise<CryptoKey> {
  if (publicKey.length !== PUBLIC_KEY_SIZE) throw new TypeError(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes, got ${publicKey.length}`);
  return globalThis.crypto.subtle.importKey('raw', publicKey, ED25519, false, ['verify']);
}

/** Whether `signature` is key's Ed25519 signature of `message`; a malformed signature is false, never a throw. */
export async function verifyEd25519(key: CryptoKey, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  if (signature.length !== SIGNATURE_SIZE) return false;
  try {
    return await globalThis.crypto.subtle.verify(ED25519, key, signature, message);
  } catch {
    return false;
  }
}

export type { CryptoKey };
