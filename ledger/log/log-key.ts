/**
 * The log's keys. The checkpoint signer: `COORD_LOG_KEY_FILE` (a provisioned Go-format note signer key), or
 * on a dev machine `.data/log/log.key`, created on first use, its verifier key written beside it as
 * `log.vkey` for witnesses and auditors to pin. The witnesses whose cosignatures count:
 * `COORD_LOG_WITNESSES_FILE`, or on a dev machine every dev witness's `witness.vkey` under `.data/witness/`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cosignatureVerifier } from '../../audit/tlog/cosignature.js';
import { generateNoteKey, noteSigner, noteVerifier, parseSignerKey, formatVerifierKey, SIG_ED25519, type NoteSigner, type NoteVerifier } from '../../audit/tlog/note-keys.js';
import { config } from '../../config/index.js';
import { DATA_DIR } from '../../config/paths.js';
import { createFileOnce } from '../../lib/create-once.js';
import { ensurePrivateDir } from '../../lib/private-files.js';

export const devLogKeyFile = () => join(DATA_DIR, 'log', 'log.key');
export const devLogVerifierKeyFile = () => join(DATA_DIR, 'log', 'log.vkey');
const devWitnessDir = () => join(DATA_DIR, 'witness');

export interface LogKey {
  signer: NoteSigner;
  /** its verifier key, C2SP vkey format */
  vkey: string;
}

/** The checkpoint signer; its name must be the origin (C2SP: the key name is the log's origin). */
export function loadLogKey(origin = config().COORD_LOG_ORIGIN): LogKey {
  const configured = config().COORD_LOG_KEY_FILE;
  const file = configured ?? devLogKeyFile();
  if (!existsSync(file)) {
    if (configured) throw new Error(`the log key file ${file} does not exist`);
    ensurePrivateDir(dirname(file));
    createFileOnce(file, `${generateNoteKey(origin).signerKey}\n`, 0o600);
  }
  const skey = readFileSync(file, 'utf8').trim();
  const parsed = parseSignerKey(skey);
  if (parsed.name !== origin) throw new Error(`the log key in ${file} is named ${parsed.name}, not the log's origin ${origin}`);
  const vkey = formatVerifierKey(parsed.name, SIG_ED25519, parsed.publicKey);
  if (!configured && (!existsSync(devLogVerifierKeyFile()) || readFileSync(devLogVerifierKeyFile(), 'utf8').trim() !== vkey)) {
    writeFileSync(devLogVerifierKeyFile(), `${vkey}\n`, { mode: 0o644 });
  }
  return { signer: noteSigner(skey), vkey };
}

/** A witness as the ledger pins it: its verifier key (type 0x04) and the note verifier made of it. */
export interface PinnedWitness {
  vkey: string;
  verifier: NoteVerifier;
}

/** The witnesses whose cosignatures count, by name. */
export function loadWitnesses(): Map<string, PinnedWitness> {
  const configured = config().COORD_LOG_WITNESSES_FILE;
  const vkeys = configured
    ? readFileSync(configured, 'utf8').split('\n')
    : existsSync(devWitnessDir())
      ? readdirSync(devWitnessDir())
          .map((org) => join(devWitnessDir(), org, 'witness.vkey'))
          .filter((f) => existsSync(f))
          .map((f) => readFileSync(f, 'utf8'))
      : [];
  const witnesses = new Map<string, PinnedWitness>();
  for (const vkey of vkeys.map((v) => v.trim()).filter(Boolean)) {
    const verifier = cosignatureVerifier(vkey);
    witnesses.set(verifier.name, { vkey, verifier });
  }
  return witnesses;
}

/** The log's own verifier, for opening its checkpoints. */
export const logVerifier = (key: LogKey): NoteVerifier => noteVerifier(key.vkey);
