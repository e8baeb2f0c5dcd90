/**
 * The bundle-signing key as the bundle format sees it: Ed25519, a JWK, its RFC 7638 thumbprint as `kid`.
 * Where the key comes from (a provisioned file, or a dev key created on first use) is the ledger's concern:
 * ledger/signing-key.ts.
 */
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALG = 'EdDSA';

export interface SigningKey {
  privateKey: CryptoKey;
  /** the public half, as it goes into the JWS header */
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key */
  kid: string;
}

/** The public members of an Ed25519 JWK (a private one may be given where a public one is expected). */
export function publicJwkOf(jwk: JWK, what = 'the key'): JWK {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError(`${what} is not an Ed25519 JWK (kty "OKP", crv "Ed25519", x)`);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

export const thumbprintOf = (jwk: JWK): Promise<string> => calculateJwkThumbprint(publicJwkOf(jwk));

/** Reads a public key file (`public.jwk`) for pinning. */
export function readPublicJwk(file: string): JWK {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TypeError(`${file}: not a JSON Web Key (${(err as Error).message})`);
  }
  return publicJwkOf(parsed as JWK, file);
}
