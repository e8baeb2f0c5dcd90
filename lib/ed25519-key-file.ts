/**
 * Ed25519 private keys kept as JWK files: the export-signing key, the emitter key, the log key. On a dev
 * machine a key is created on first use (0600 in a 0700 folder); in production a configured file must
 * exist — a missing one is an error, never a fresh key nobody knows. What a key file must hold, and its key
 * id, are the audit layer's rules (audit/ed25519-jwk.ts): this module only finds, creates and reads the file.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFileOnce } from './create-once.js';
import { ensurePrivateDir } from './private-files.js';

/** Writes a fresh Ed25519 private JWK to `file` unless one is there (0600, folder 0700; safe against a racing process). */
export function createEd25519KeyFile(file: string, extra: Record<string, string> = {}): void {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  ensurePrivateDir(dirname(file));
  createFileOnce(file, `${JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x, d, ...extra }, null, 2)}\n`, 0o600);
}

/**
 * The JSON in `configured` (which must exist), or else in `devFile` (an Ed25519 private JWK created on
 * first use, with the `extra` members). `what` names the key in errors ("signing key").
 */
export function loadOrCreatePrivateJwk(opts: { what: string; configured?: string | undefined; devFile: string; extra?: Record<string, string> }): { jwk: unknown; file: string; dev: boolean } {
  const file = opts.configured || opts.devFile;
  const dev = !opts.configured;
  if (!existsSync(file)) {
    if (!dev) throw new Error(`the ${opts.what} file ${file} does not exist`);
    createEd25519KeyFile(file, opts.extra);
  }
  chmodSync(file, 0o600);
  try {
    return { jwk: JSON.parse(readFileSync(file, 'utf8')), file, dev };
  } catch (err) {
    throw new TypeError(`${file}: not a JSON Web Key (${(err as Error).message})`);
  }
}
