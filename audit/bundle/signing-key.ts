/**
 * The bundle-signing key as the bundle format sees it: Ed25519, a JWK, its RFC 7638 thumbprint as `kid`.
 * Where the key comes from (a provisioned file, or a dev key created on first use) is the ledger's concern:
 * ledger/signing-key.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CryptoKey, JWK } from 'jose';
import { ed25519Kid, ed25519PublicJwk } from '../ed25519-jwk.js';

export const SIGNING_ALG = 'EdDSA';

/**
 * A shared secret for HMAC-SHA256 bundles (seed 004: "HMAC-SHA256 for shared-secret deployments"), for
 * exchanges inside one organisation: whoever can verify can also sign, so it proves integrity between the
 * holders of the secret, never authorship to a third party. `kid` names the key without revealing it.
 */
export interface HmacKey {
  kind: 'hmac';
  secret: Uint8Array;
  kid: string;
}

export const HMAC_ALG = 'HS256';

/** An HMAC key from a file: an oct JWK (`{"kty":"oct","k":…}`, at least 32 bytes) — the kid is its RFC 7638 thumbprint. */
export function readHmacKey(file: string): HmacKey {
  let jwk: { kty?: unknown; k?: unknown };
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as typeof jwk;
  } catch (err) {
    throw new TypeError(`${file}: not a JSON Web Key (${(err as Error).message})`);
  }
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new TypeError(`${file} is not a symmetric JWK (kty "oct", k)`);
  const secret = Buffer.from(jwk.k, 'base64url');
  if (secret.length < 32) throw new TypeError(`${file}: an HMAC-SHA256 key needs at least 32 bytes, this one has ${secret.length}`);
  const kid = createHash('sha256').update(`{"k":"${jwk.k}","kty":"oct"}`).digest('base64url');
  return { kind: 'hmac', secret: new Uint8Array(secret), kid };
}

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
