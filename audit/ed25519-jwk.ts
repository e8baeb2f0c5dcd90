/**
 * Ed25519 keys as JWKs, the one form every key of this project takes in files and bundles (export signing,
 * emitter, transparency log): what a public or private JWK must hold, and its key id — the RFC 7638
 * thumbprint of the public half, always computed, never trusted from a file.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}
export type Ed25519PrivateJwk = Ed25519PublicJwk & { d: string };

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/** The public members of an Ed25519 JWK (a private one may be given); throws naming `what` otherwise. */
export function ed25519PublicJwk(jwk: unknown, what = 'the key'): Ed25519PublicJwk {
  const k = (jwk ?? {}) as Record<string, unknown>;
  if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string' || !B64URL_32.test(k.x)) {
    throw new TypeError(`${what} is not an Ed25519 JWK (kty "OKP", crv "Ed25519", x)`);
  }
  return { kty: 'OKP', crv: 'Ed25519', x: k.x };
}

export function ed25519PrivateJwk(jwk: unknown, what = 'the key'): Ed25519PrivateJwk {
  const d = (jwk as { d?: unknown } | null)?.d;
  if (typeof d !== 'string' || !B64URL_32.test(d)) throw new TypeError(`${what} holds no Ed25519 private key ("d")`);
  return { ...ed25519PublicJwk(jwk, what), d };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function ed25519Kid(jwk: Ed25519PublicJwk): string {
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
}

export const ed25519PublicKeyObject = (jwk: Ed25519PublicJwk): KeyObject => createPublicKey({ key: { ...jwk }, format: 'jwk' });
export const ed25519PrivateKeyObject = (jwk: Ed25519PrivateJwk): KeyObject => createPrivateKey({ key: { ...jwk }, format: 'jwk' });
