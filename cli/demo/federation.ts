/**
 * The demo's federation step: the partner organisation's receiving node beside the stack (its own store
 * and trust file under .data/federation/partner/, no access to our servers but the broker), and the wait
 * until it holds the screening's slice, verified — the partner's head of the composition equal to ours.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from '../../config/paths.js';
import { readFederationPolicy } from '../../ledger/federation/policy.js';
import { loadSenderKeys } from '../../ledger/federation/sender-keys.js';
import { partnerTrustFile } from '../../ledger/federation/trust-file.js';
import { receiverStatus } from '../../workers/federation/status.js';
import { FederationStore, federationDir, storeFile } from '../../workers/federation/store.js';
import { startProcess, type ServiceProcess } from '../../workers/services.js';

export const PARTNER_ORG = 'partner';

/** Writes the partner's trust file from our public keys (what `coord federation trust` does) and starts its node. */
export async function startPartnerNode(env: NodeJS.ProcessEnv): Promise<{ process: ServiceProcess; trustFile: string }> {
  const trustFile = join(ensureDir(federationDir(PARTNER_ORG)), 'trust.json');
  writeFileSync(trustFile, `${JSON.stringify(partnerTrustFile(readFederationPolicy(), PARTNER_ORG, await loadSenderKeys()), null, 2)}\n`, { mode: 0o644 });
  const { proc } = await startProcess('federation-receiver', 'workers/federation-receiver.ts', 'federation receiver ready', env, 'demo', ['--org', PARTNER_ORG, '--trust', trustFile]);
  return { process: proc, trustFile };
}

export interface PartnerHolds {
  ok: boolean;
  /** the partner's head of the composition (null: it holds none of it) */
  head: { sequence: number; this_hash: string } | null;
  accepted: number;
  refused: number;
}

/** Waits until the partner's store holds the composition up to `head` (or the deadline), read from its own files. */
export async function partnerHolds(compositionId: string, head: { sequence: number; this_hash: string }, timeoutMs = 60_000): Promise<PartnerHolds> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const store = FederationStore.open(storeFile(PARTNER_ORG), { readonly: true });
    let status;
    try {
      status = receiverStatus(PARTNER_ORG, store);
    } finally {
      store.close();
    }
    const held = status.compositions.find((c) => c.composition_id === compositionId) ?? null;
    const holds = { head: held && { sequence: held.sequence, this_hash: held.this_hash }, accepted: status.accepted, refused: status.refused.total };
    if (held && held.sequence === head.sequence && held.this_hash === head.this_hash) return { ok: true, ...holds };
    if (Date.now() > deadline) return { ok: false, ...holds };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
