/**
 * The witness's key: an Ed25519 cosigner key (cosignature/v1, type 0x04) in Go's note signer-key form,
 * `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 ‖ seed)>`, as transparency-dev's witnesses keep theirs. The
 * same key signs its cosignatures and its refusals.
 *
 * On a dev machine the key is created on first use at `.data/witness/<org>/witness.key` (0600, folder 0700)
 * with its verifier key beside it, `witness.vkey` (0644: it is public; the ledger operator pins it). A key
 * file given with `--key` must exist: a missing one is an error, never a fresh key nobody pinned.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cosignerFromKey, generateCosignerKey, type Cosigner } from '../audit/tlog/cosignature.js';
import { SIG_COSIGNATURE_V1, formatVerifierKey, parseSignerKey } from '../audit/tlog/note-keys.js';
import { refusalSigner, type RefusalSigner } from '../audit/tlog/witness-refusal.js';
import { DATA_DIR, ensureDir } from '../config/paths.js';
import { createFileOnce } from '../lib/create-once.js';
import { ensurePrivateDir } from '../lib/private-files.js';

export interface WitnessKey {
  /** the key name: the witness's name in cosignature lines and refusals */
  readonly name: string;
  readonly cosigner: Cosigner;
  readonly refusalSigner: RefusalSigner;
  /** the vkey (type 0x04) the ledger pins */
  readonly verifierKey: string;
  readonly file: string;
}

/** An organisation name: also a folder name and a key name, so letters, digits, dot, dash, underscore. */
const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertOrgName(org: string): void {
  if (!ORG.test(org)) throw new TypeError(`--org must be 1–64 letters, digits, dots, dashes or underscores, got ${JSON.stringify(org)}`);
}

/** `.data/witness/<org>/`: the dev key, its vkey and the default state file. */
export function witnessDir(org: string): string {
  assertOrgName(org);
  return join(DATA_DIR, 'witness', org);
}

export const devKeyFile = (org: string) => join(witnessDir(org), 'witness.key');

/** The witness key of `org`: from `keyFile` (which must exist), else the dev key (created on first use). */
export function loadWitnessKey(opts: { org: string; keyFile?: string | undefined }): WitnessKey {
  assertOrgName(opts.org);
  const dev = !opts.keyFile;
  const file = opts.keyFile || devKeyFile(opts.org);
  if (!existsSync(file)) {
    if (!dev) throw new Error(`the witness key file ${file} does not exist (create one with \`coord witness key --org <name>\` on a dev machine, or from Go's note.GenerateKey with type 0x04)`);
    ensureDir(dirname(file));
    ensurePrivateDir(dirname(file));
    createFileOnce(file, `${generateCosignerKey(opts.org).signerKey}\n`, 0o600);
  }
  chmodSync(file, 0o600);
  const skey = readFileSync(file, 'utf8').trim();
  const { name, publicKey } = parseSignerKey(skey, SIG_COSIGNATURE_V1);
  const verifierKey = formatVerifierKey(name, SIG_COSIGNATURE_V1, publicKey);
  if (dev) writePublic(join(dirname(file), 'witness.vkey'), `${verifierKey}\n`);
  return { name, cosigner: cosignerFromKey(skey), refusalSigner: refusalSigner(skey), verifierKey, file };
}

function writePublic(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text, { mode: 0o644 });
  chmodSync(file, 0o644);
}
