/**
 * The key that signs export bundles: Ed25519, as a private JWK in a file. On a dev machine it is created on
 * first use in `.data/signing/private.jwk` (mode 0600), its public half written beside it as `public.jwk`
 * for auditors to pin. In production `COORD_SIGNING_KEY_FILE` names a provisioned private JWK; a missing
 * file is then an error, never a fresh key nobody knows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createFileOnce } from '../lib/create-once.js';
import { ensurePrivateDir } from '../lib/private-files.js';
import { importJWK, type CryptoKey } from 'jose';
import { SIGNING_ALG, readHmacKey, type HmacKey, type SigningKey } from '../audit/bundle/signing-key.js';
import { config } from '../config/index.js';
import { DATA_DIR } from '../config/paths.js';
import { loadOrCreatePrivateJwk } from '../lib/ed25519-key-file.js';
import { ed25519Kid, ed25519PrivateJwk, ed25519PublicJwk } from '../audit/ed25519-jwk.js';

export { readHmacKey, readPublicJwk, type HmacKey, type SigningKey } from '../audit/bundle/signing-key.js';

export const devSigningKeyFile = () => join(DATA_DIR, 'signing', 'private.jwk');
export const devPublicKeyFile = () => join(DATA_DIR, 'signing', 'public.jwk');

export async function loadOrCreateSigningKey(opts: { file?: string } = {}): Promise<SigningKey> {
  const { jwk, file, dev } = loadOrCreatePrivateJwk({ what: 'signing key', configured: opts.file ?? config().COORD_SIGNING_KEY_FILE, devFile: devSigningKeyFile(), extra: { alg: SIGNING_ALG, use: 'sig' } });
  const privateJwk = ed25519PrivateJwk(jwk, file);
  const publicJwk = ed25519PublicJwk(privateJwk);
  const kid = ed25519Kid(publicJwk);
  const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey;
  if (dev) {
    const pub = devPublicKeyFile();
    const text = `${JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }, null, 2)}\n`;
    if (!existsSync(pub) || readFileSync(pub, 'utf8') !== text) writeFileSync(pub, text, { mode: 0o644 });
  }
  return { privateKey, publicJwk, kid };
}

export const devHmacKeyFile = () => join(DATA_DIR, 'signing', 'hmac.jwk');

/** The HMAC bundle key: `COORD_HMAC_KEY_FILE` (must exist), or the dev key, created 0600 on first use. */
export function loadOrCreateHmacKey(): HmacKey {
  const configured = config().COORD_HMAC_KEY_FILE;
  const file = configured ?? devHmacKeyFile();
  if (!existsSync(file)) {
    if (configured) throw new Error(`the HMAC key file ${file} does not exist`);
    ensurePrivateDir(dirname(file));
    createFileOnce(file, `${JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url'), alg: 'HS256' })}\n`, 0o600);
  }
  return readHmacKey(file);
}
