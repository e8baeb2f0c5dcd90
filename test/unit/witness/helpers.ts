/** A witness over a temporary folder (its key, its state) for one fake ledger, with a frozen clock. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCosignerKey } from '../../../audit/tlog/cosignature.js';
import { loadWitnessKey, type WitnessKey } from '../../../witness/keys.js';
import type { WitnessState } from '../../../witness/state.js';
import { Witness, type WitnessOptions } from '../../../witness/witness.js';
import type { FakeLedger } from './fake-ledger.js';

export const NOW_MS = 1_760_000_000_000;
export const NOW = NOW_MS / 1000;
export const WITNESS_NAME = 'witness.acme.example';

export interface Setup {
  dir: string;
  keyFile: string;
  key: WitnessKey;
  stateFile: string;
  witness(ledger: FakeLedger, extra?: Partial<WitnessOptions>): Witness;
  state(): WitnessState;
}

export function setup(): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'coord-witness-'));
  const keyFile = join(dir, 'witness.key');
  writeFileSync(keyFile, `${generateCosignerKey(WITNESS_NAME).signerKey}\n`, { mode: 0o600 });
  const key = loadWitnessKey({ org: 'acme', keyFile });
  const stateFile = join(dir, 'state', 'state.json');
  return {
    dir,
    keyFile,
    key,
    stateFile,
    witness: (ledger, extra = {}) => new Witness({ ledger: ledger.url, logKey: ledger.logKey.verifierKey, key, stateFile, now: () => NOW_MS, timeoutMs: 2000, ...extra }),
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')) as WitnessState,
  };
}
