/**
 * The receiving node's receipt key: Ed25519, a private JWK at `<DATA_DIR>/federation/<org>/receipt-key.jwk`
 * (0600, folder 0700), created on first use; its public half is written beside it as `receipt-key.pub.jwk`
 * for the sender to pin (receipts are checked with audit/slice/sign.ts `openReceipt`).
 */
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type CryptoKey } from 'jose';
import { SIGNING_ALG, type SigningKey } from '../../audit/bundle/signing-key.js';
import { ed25519Kid, ed25519PrivateJwk, ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import { loadOrCreatePrivateJwk } from '../../lib/ed25519-key-file.js';

/** In the node's folder (workers/federation/store.ts `federationDir(org)`). */
export const receiptKeyFile = (dir: string) => join(dir, 'receipt-key.jwk');
export const receiptPublicKeyFile = (dir: string) => join(dir, 'receipt-key.pub.jwk');

/** The receipt key kept in `dir` (created on first use), its public half written beside it. */
export async function loadOrCreateReceiptKey(dir: string): Promise<SigningKey> {
  const { jwk, file } = loadOrCreatePrivateJwk({ what: 'receipt key', devFile: receiptKeyFile(dir), extra: { alg: SIGNING_ALG, use: 'sig' } });
  const privateJwk = ed25519PrivateJwk(jwk, file);
  const publicJwk = ed25519PublicJwk(privateJwk);
  const kid = ed25519Kid(publicJwk);
  const pub = receiptPublicKeyFile(dir);
  const text = `${JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }, null, 2)}\n`;
  if (!existsSync(pub) || readFileSync(pub, 'utf8') !== text) {
    writeFileSync(pub, text, { mode: 0o644 });
    chmodSync(pub, 0o644);
  }
  return { privateKey: (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey, publicJwk, kid };
}
