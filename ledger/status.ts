/**
 * The ledger's status on demand (`coord audit status`, the demo): ingest the topic up to its end, then
 * compare heads; a difference may be lag, so ingest and compare again until it clears or outlives the lag
 * window. Safe while the ledger process runs too: both write the same verdicts.
 */
import type { Client } from '@temporalio/client';
import { schemaRegistryEndpoint } from '../config/endpoints.js';
import { catchUp } from './consumer.js';
import { SelfAudit, type SelfAuditReport } from './self-audit.js';
import type { LedgerStore } from './store.js';
import { WireDecoder } from './wire.js';
import { TemporalWorkflowHeads } from './workflow-heads.js';

export interface StatusOptions {
  store: LedgerStore;
  temporal: Client;
  topic: string;
  taskQueue: string;
  windowSeconds?: number;
  lagWindowSeconds?: number;
  /** false: compare with what the ledger holds, without ingesting first */
  catchUp?: boolean;
}

/** Ingests `topic` up to its current end. */
export async function ingestToEnd(store: LedgerStore, topic: string, decoder = new WireDecoder(schemaRegistryEndpoint().address)): Promise<void> {
  await catchUp({ store, topic, decoder });
}

export async function ledgerStatus(opts: StatusOptions): Promise<SelfAuditReport> {
  const lagWindowSeconds = opts.lagWindowSeconds ?? 30;
  const audit = new SelfAudit({
    store: opts.store,
    workflows: new TemporalWorkflowHeads(opts.temporal, opts.taskQueue),
    lagWindowSeconds,
    ...(opts.windowSeconds !== undefined ? { windowSeconds: opts.windowSeconds } : {}),
  });
  const decoder = new WireDecoder(schemaRegistryEndpoint().address);
  const started = Date.now();
  for (;;) {
    if (opts.catchUp !== false) await ingestToEnd(opts.store, opts.topic, decoder);
    const report = await audit.pass();
    if (report.delta === 0 || report.alarm || Date.now() - started >= lagWindowSeconds * 1000) return report;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
