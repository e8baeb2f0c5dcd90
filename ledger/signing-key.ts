/**
 * The key that signs export bundles: Ed25519, as a private JWK in a file. On a dev machine it is created on
 * first use in `.data/signing/private.jwk` (mode 0600), its public half written beside it as `public.jwk`
 * for auditors to pin. In production `COORD_SIGNING_KEY_FILE` names a provisioned private JWK; a missing
 * file is then an error, never a fresh key nobody knows.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { publicJwkOf, SIGNING_ALG, thumbprintOf, type SigningKey } from '../audit/bundle/signing-key.js';
import { config } from '../config/index.js';
import { DATA_DIR } from '../config/paths.js';
import { createFileOnce } from '../lib/create-once.js';

export { readPublicJwk, type SigningKey } from '../audit/bundle/signing-key.js';

export const devSigningKeyFile = () => join(DATA_DIR, 'signing', 'private.jwk');
export const devPublicKeyFile = () => join(DATA_DIR, 'signing', 'public.jwk');

async function createDevKey(file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  createFileOnce(file, `${JSON.stringify({ ...jwk, alg: SIGNING_ALG, use: 'sig' }, null, 2)}\n`, 0o600);
}

export async function loadOrCreateSigningKey(opts: { file?: string } = {}): Promise<SigningKey> {
  const configured = opts.file ?? config().COORD_SIGNING_KEY_FILE;
  const file = configured ?? devSigningKeyFile();
  if (!existsSync(file)) {
    if (configured) throw new Error(`the signing key file ${file} does not exist`);
    await createDevKey(file);
  }
  chmodSync(file, 0o600);
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const publicJwk = publicJwkOf(jwk, file);
  if (typeof jwk.d !== 'string') throw new TypeError(`${file} holds no private key ("d")`);
  const kid = await thumbprintOf(publicJwk);
  const privateKey = (await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, SIGNING_ALG)) as CryptoKey;
  if (!configured) {
    const pub = devPublicKeyFile();
    const text = `${JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }, null, 2)}\n`;
    if (!existsSync(pub) || readFileSync(pub, 'utf8') !== text) writeFileSync(pub, text, { mode: 0o644 });
  }
  return { privateKey, publicJwk, kid };
}
