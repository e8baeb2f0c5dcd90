/**
 * The bundle-signing key as the bundle format sees it: Ed25519, a JWK, its RFC 7638 thumbprint as `kid`.
 * Where the key comes from (a provisioned file, or a dev key created on first use) is the ledger's concern:
 * ledger/signing-key.ts.
 */
import { readFileSync } from 'node:fs';
import type { CryptoKey, JWK } from 'jose';
import { ed25519Kid, ed25519PublicJwk } from '../ed25519-jwk.js';

export const SIGNING_ALG = 'EdDSA';

export interface SigningKey {
  privateKey: CryptoKey;
  /** the public half, as it goes into the JWS header */
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key */
  kid: string;
}

/** The public members of an Ed25519 JWK (a private one may be given where a public one is expected). */
export const publicJwkOf = (jwk: JWK, what = 'the key'): JWK => ed25519PublicJwk(jwk, what);

export const thumbprintOf = (jwk: JWK): string => ed25519Kid(ed25519PublicJwk(jwk));

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
