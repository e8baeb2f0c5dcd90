/**
 * The demo's transparency-log part: the partner organisation's witness runs beside the ledger (its own dev
 * key and state in .data/witness/partner/); once a checkpoint the witness cosigned covers the screening,
 * every event's inclusion proof is checked against it, and the keys an auditor pins are written to one trust
 * file for `coord edge replay --trust`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosignatureVerifier } from '../../audit/tlog/cosignature.js';
import { parseCheckpoint } from '../../audit/tlog/checkpoint.js';
import { leafHash, verifyInclusion } from '../../audit/tlog/merkle.js';
import { openNote } from '../../audit/tlog/note.js';
import { noteVerifier } from '../../audit/tlog/note-keys.js';
import { canonicalJson } from '../../audit/canonical.js';
import { DATA_DIR, LOG_DIR, ROOT } from '../../config/paths.js';
import { devEmitterPublicKeysFile } from '../../kafka/emitter-keys.js';
import { devLogVerifierKeyFile } from '../../ledger/log/log-key.js';
import { loadOrCreateSigningKey } from '../../ledger/signing-key.js';
import { privateAppendStream } from '../../lib/private-files.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { loadWitnessKey } from '../../witness/keys.js';

export const WITNESS_ORG = 'partner';

/** Starts `coord witness --org partner` against the ledger; its JSON lines go to .data/logs/witness-partner.log. */
export function startWitness(ledgerUrl: string): { vkey: string; process: ChildProcess; log: string } {
  const vkey = loadWitnessKey({ org: WITNESS_ORG }).verifierKey; // creates the dev key (and witness.vkey, which the ledger pins)
  const log = join(LOG_DIR, `witness-${WITNESS_ORG}.log`);
  const out = privateAppendStream(log);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'witness', '--org', WITNESS_ORG, '--ledger', ledgerUrl, '--interval', '1', '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { vkey, process: child, log };
}

export interface WitnessedInclusion {
  checkpoint_size: number;
  witnessed: boolean;
  included: number;
}

/** Waits (up to `timeoutMs`) for a checkpoint the witness cosigned that covers `events`, then checks each event's proof against it. */
export async function witnessedInclusion(ledgerUrl: string, events: readonly AuditEvent[], witnessVkey: string, timeoutMs = 60_000): Promise<WitnessedInclusion> {
  const logVerifier = noteVerifier(readFileSync(devLogVerifierKeyFile(), 'utf8').trim());
  const witness = cosignatureVerifier(witnessVkey);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${ledgerUrl}/log/checkpoint?witnessed=1`);
    if (res.ok) {
      const opened = openNote(await res.text(), [logVerifier, witness]);
      const witnessed = opened.signatures.some((s) => s.name === witness.name && s.keyId === witness.keyId);
      const { size, root } = parseCheckpoint(opened.text);
      let included = 0;
      for (const event of events) {
        const answer = await fetch(`${ledgerUrl}/log/inclusion?event_id=${encodeURIComponent(event.event_id)}&size=${size}`);
        if (!answer.ok) break;
        const { leaf_index, proof } = (await answer.json()) as { leaf_index: number; proof: string[] };
        const leaf = leafHash(Buffer.from(canonicalJson(event), 'utf8'));
        if (verifyInclusion(leaf, leaf_index, size, proof.map((p) => Buffer.from(p, 'base64')), root)) included += 1;
      }
      if (witnessed && included === events.length) return { checkpoint_size: size, witnessed, included };
    }
    if (Date.now() > deadline) return { checkpoint_size: 0, witnessed: false, included: 0 };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The keys an auditor pins, in one file for `coord edge replay --trust` (public keys only). */
export async function writeTrustFile(witnessVkey: string): Promise<string> {
  const file = join(DATA_DIR, 'trust.json');
  const trust = {
    bundle_key: (await loadOrCreateSigningKey()).publicJwk,
    emitter_keys: (JSON.parse(readFileSync(devEmitterPublicKeysFile(), 'utf8')) as { keys: unknown[] }).keys,
    log_keys: [readFileSync(devLogVerifierKeyFile(), 'utf8').trim()],
    witness_keys: [witnessVkey],
  };
  writeFileSync(file, `${JSON.stringify(trust, null, 2)}\n`, { mode: 0o644 });
  return file;
}
