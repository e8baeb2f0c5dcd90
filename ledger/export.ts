/**
 * Exports from the ledger (seed 003 §2.9, seed 004): the selected compositions, whole — every event of each,
 * from the ledger's canonical table — with every run's Temporal history, written as an export bundle
 * (audit/bundle/format.ts), signed on request. Selection is deterministic: the compositions with at least
 * one event matching the filters, in id order; so the same arguments over the same ledger give the same bytes.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { writeBundle, type BundleComposition } from '../audit/bundle/write.js';
import type { Manifest } from '../audit/bundle/format.js';
import type { HmacKey, SigningKey } from './signing-key.js';
import { fetchAllRunHistories, type History } from '../client/histories.js';
import type { AuditEvent } from '../schemas/catalog.js';
import type { EventFilter } from './query.js';
import { allEvents, type LedgerStore } from './store.js';
import { LogRequestError, type LogService } from './log/log-service.js';

export interface ExportOptions {
  store: LedgerStore;
  temporal: Client;
  codec: PayloadCodec;
  filter: EventFilter;
  /** recorded in the manifest as given by the caller */
  selection: Record<string, unknown>;
  dir: string;
  signingKey?: SigningKey | HmacKey;
  /** the log to prove inclusion in: the newest witnessed checkpoint (else the newest) goes into the bundle, with a proof per event */
  log?: LogService;
}

/** Each event's inclusion proof at `size` (events the checkpoint does not cover yet have none). */
async function proofsAt(log: LogService, size: number, events: readonly AuditEvent[]): Promise<Map<string, { leaf_index: number; proof: string[] }>> {
  const proofs = new Map<string, { leaf_index: number; proof: string[] }>();
  for (const e of events) {
    try {
      const answer = await log.inclusion(e.event_id, size);
      proofs.set(e.event_id, { leaf_index: answer.leaf_index, proof: answer.proof });
    } catch (err) {
      if (!(err instanceof LogRequestError)) throw err;
    }
  }
  return proofs;
}

/** A composition whose workflow history is gone (retention) is exported with no runs: replay will say so. */
async function histories(temporal: Client, workflowId: string): Promise<History[]> {
  try {
    return await fetchAllRunHistories(temporal, workflowId);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

export async function exportFromLedger(opts: ExportOptions): Promise<Manifest> {
  const ids = await opts.store.compositionIds(opts.filter);
  const checkpoint = opts.log ? ((await opts.log.latestWitnessed()) ?? (await opts.log.checkpointNote())) : undefined;
  async function* compositions(): AsyncGenerator<BundleComposition> {
    for (const id of ids) {
      const events: AuditEvent[] = [];
      for await (const event of allEvents(opts.store, { composition_id: id })) events.push(event as AuditEvent);
      const proofs = checkpoint && opts.log ? await proofsAt(opts.log, checkpoint.row.tree_size, events) : undefined;
      yield { composition_id: id, workflow_id: id, events, runs: await histories(opts.temporal, id), signatures: await opts.store.emitterSignatures(id), ...(proofs ? { proofs } : {}) };
    }
  }
  return writeBundle(opts.dir, compositions(), {
    selection: opts.selection,
    codec: opts.codec,
    ...(opts.signingKey ? { signingKey: opts.signingKey } : {}),
    ...(checkpoint ? { checkpoint: checkpoint.note } : {}),
  });
}
