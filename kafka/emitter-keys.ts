/**
 * Where emitter keys come from (what they do: audit/emitter-signature.ts).
 *
 * The worker signs with `COORD_EMITTER_KEY_FILE` (a provisioned Ed25519 private JWK) or, on a dev machine,
 * `.data/emitter/current.jwk`, created on first use. Readers pin `COORD_EMITTER_PUBLIC_KEYS_FILE` (a JWK
 * Set) or, on a dev machine, every dev key used here: the current one and those rotated out into
 * `.data/emitter/retired/` — old keys stay valid for what they signed. The dev set is also written to
 * `.data/emitter/public-keys.json`, the file an auditor pins (`--emitter-key`).
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519Kid, ed25519PrivateJwk, ed25519PublicJwk, type Ed25519PublicJwk } from '../audit/ed25519-jwk.js';
import { EmitterKeyring, EmitterSigner, readEmitterKeyring } from '../audit/emitter-signature.js';
import { config } from '../config/index.js';
import { DATA_DIR } from '../config/paths.js';
import { loadOrCreatePrivateJwk } from '../lib/ed25519-key-file.js';
import { ensurePrivateDir } from '../lib/private-files.js';

const devDir = () => join(DATA_DIR, 'emitter');
const devCurrentFile = () => join(devDir(), 'current.jwk');
const devRetiredDir = () => join(devDir(), 'retired');
export const devEmitterPublicKeysFile = () => join(devDir(), 'public-keys.json');

function loadCurrent(): { signer: EmitterSigner; dev: boolean } {
  const { jwk, file, dev } = loadOrCreatePrivateJwk({ what: 'emitter key', configured: config().COORD_EMITTER_KEY_FILE, devFile: devCurrentFile() });
  return { signer: new EmitterSigner(ed25519PrivateJwk(jwk, file)), dev };
}

/** The worker's signer. On a dev machine the dev key set is kept up to date for readers. */
export function loadEmitterSigner(): EmitterSigner {
  const { signer, dev } = loadCurrent();
  if (dev) writeDevPublicKeys();
  return signer;
}

/** Every dev key's public half (current first, then retired ones by file name), as a JWK Set written out for auditors. */
function writeDevPublicKeys(): Ed25519PublicJwk[] {
  const current = ed25519PublicJwk(loadCurrent().signer.publicJwk);
  const retiredDir = devRetiredDir();
  const retired = existsSync(retiredDir)
    ? readdirSync(retiredDir)
        .filter((name) => name.endsWith('.jwk'))
        .sort()
        .map((name) => ed25519PublicJwk(JSON.parse(readFileSync(join(retiredDir, name), 'utf8')), join(retiredDir, name)))
    : [];
  const keys = [current, ...retired].map((k) => ({ ...k, kid: ed25519Kid(k), use: 'sig', alg: 'EdDSA' }));
  const text = `${JSON.stringify({ keys }, null, 2)}\n`;
  const file = devEmitterPublicKeysFile();
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file); // a concurrent reader sees the old set or the new one, whole
  }
  return keys;
}

/** The keys a reader (the ledger, `coord audit`) admits events from. */
export function pinnedEmitterKeys(): EmitterKeyring {
  const configured = config().COORD_EMITTER_PUBLIC_KEYS_FILE;
  if (configured) return readEmitterKeyring(configured);
  return new EmitterKeyring(writeDevPublicKeys());
}

/**
 * Dev key rotation: the current key is retired (kept, and still pinned), a new one becomes current. A
 * running worker keeps signing with the key it loaded until it restarts. Production rotates by
 * configuration: a new COORD_EMITTER_KEY_FILE, its public key added to COORD_EMITTER_PUBLIC_KEYS_FILE.
 */
export function rotateDevEmitterKey(): { retired: string; current: string } {
  if (config().COORD_EMITTER_KEY_FILE) throw new Error('COORD_EMITTER_KEY_FILE is set: rotate a provisioned key by configuration');
  const old = loadCurrent().signer;
  ensurePrivateDir(devRetiredDir());
  renameSync(devCurrentFile(), join(devRetiredDir(), `${old.kid}.jwk`));
  const next = loadCurrent().signer;
  writeDevPublicKeys();
  return { retired: old.kid, current: next.kid };
}
