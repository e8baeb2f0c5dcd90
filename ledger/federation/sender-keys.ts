/**
 * Our public keys, gathered from where each is configured (or the dev files): what a partner's trust file
 * pins (ledger/federation/trust-file.ts). The slice key is the export signing key; the emitter keys are the
 * ones the ledger admits events from; the log key and the witnesses are the ledger's own.
 */
import { catalogFingerprints } from '../../audit/slice/schema-fingerprint.js';
import { config } from '../../config/index.js';
import { devEmitterPublicKeysFile, pinnedEmitterKeys } from '../../kafka/emitter-keys.js';
import { loadLogKey, loadWitnesses } from '../log/log-key.js';
import { loadOrCreateSigningKey } from '../signing-key.js';
import { publicKeysOfFile, type SenderKeys } from './trust-file.js';

export async function loadSenderKeys(): Promise<SenderKeys> {
  const configured = config().COORD_EMITTER_PUBLIC_KEYS_FILE;
  if (!configured) pinnedEmitterKeys(); // writes the dev key set, current and retired, to its file
  return {
    sliceKey: (await loadOrCreateSigningKey()).publicJwk,
    emitterKeys: publicKeysOfFile(configured ?? devEmitterPublicKeysFile()),
    logKeys: [loadLogKey().vkey],
    witnessKeys: [...loadWitnesses().values()].map((w) => w.vkey),
    schemaFingerprints: catalogFingerprints(),
  };
}
