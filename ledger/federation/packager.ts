/**
 * Packaging: turns what the ledger admitted into slices in the outbox, per partner. A pass takes the newest
 * *witnessed* checkpoint and, for each partner of the federation policy, looks at every composition with
 * leaves the checkpoint added since the partner's last pass. A composition is the partner's when one of its
 * issuers took part (audit/slice/entitlement.ts, the rule the receiver applies too) and its type is one the
 * policy lists (if it lists any); then each run of its events beyond what was packaged and under the
 * checkpoint is put to the PDP (ledger/federation/decision.ts). ALLOW: the run becomes a signed slice written
 * to the outbox with its decision, the composition's progress and the partner's state, in one transaction.
 * DENY: the decision is recorded, nothing is packaged. No decision, or a slice that cannot be assembled (a
 * log inconsistent with what the partner last got): the pass for that partner stops, logged, and the next
 * pass looks again. An ALLOW is recorded only with the slice it let out.
 */
import type { Logger } from 'pino';
import type { SigningKey } from '../../audit/bundle/signing-key.js';
import { digestOf } from '../../audit/slice/digest.js';
import { tookPart } from '../../audit/slice/entitlement.js';
import { MAX_SLICE_BYTES, MAX_SLICE_EVENTS } from '../../audit/slice/format.js';
import { sliceMessage } from '../../audit/slice/sign.js';
import { verifyConsistency } from '../../audit/tlog/merkle.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { LogService } from '../log/log-service.js';
import type { LedgerStore } from '../store.js';
import { decideSlice, type FederationPdp } from './decision.js';
import type { FederationPolicy, PartnerPolicy } from './policy.js';
import { SliceAssemblyError, assembleSlice, schemaIdsOf } from './slice-builder.js';
import { OutboxConflictError, type CoveredEvent, type PartnerState } from './store.js';

/** Event lines and their proofs must leave room in a message for the checkpoint and the rest. */
const RUN_BYTES_BUDGET = MAX_SLICE_BYTES - (512 << 10);
/** What an event costs a message besides its line: its signature entry, its proof (one base64 hash of ~48 bytes per level of the tree), punctuation. */
const perEventOverhead = (treeSize: number): number => 512 + 48 * Math.max(1, Math.ceil(Math.log2(treeSize + 1)));

export interface PackagerOptions {
  store: LedgerStore;
  log: LogService;
  policy: FederationPolicy;
  pdp: FederationPdp;
  /** the export signing key: slices are signed like bundles */
  signingKey: SigningKey;
  /** the JSON Schema fingerprint of a schema id (audit/slice/schema-fingerprint.ts) */
  fingerprint: (schemaId: string) => string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  now?: () => number;
}

export interface PartnerPass {
  partner: string;
  packaged: { slice_seq: number; composition_id: string; from_sequence: number; to_sequence: number }[];
  denied: { composition_id: string; from_sequence: number; to_sequence: number; uds_eval_id: string }[];
  /** compositions left for a later pass, and why */
  skipped: { composition_id: string; why: string }[];
  /** why the pass for this partner stopped early (the next pass looks again) */
  stopped?: string;
}

export interface PackagingPass {
  /** the witnessed checkpoint the pass packaged against (none yet: nothing to do) */
  checkpoint_size: number | null;
  partners: PartnerPass[];
}

/** The partner's pass stops here; the next pass looks again. */
class StopPass extends Error {}

/** Splits a run so that each part fits one slice message (proofs at a tree of `treeSize`). */
export function splitRun<T extends { row: CoveredEvent }>(run: readonly T[], treeSize: number): T[][] {
  const overhead = perEventOverhead(treeSize);
  const parts: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of run) {
    const size = Buffer.byteLength(item.row.body, 'utf8') + overhead;
    if (current.length > 0 && (current.length === MAX_SLICE_EVENTS || bytes + size > RUN_BYTES_BUDGET)) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) parts.push(current);
  return parts;
}

/** The composition's type, as its request event names it ('' when it names none). */
export function compositionTypeOf(events: readonly AuditEvent[]): string {
  const type = (events[0]?.payload as { composition_type?: unknown } | undefined)?.composition_type;
  return typeof type === 'string' ? type : '';
}

export class SlicePackager {
  private readonly now: () => number;

  constructor(private readonly opts: PackagerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async pass(): Promise<PackagingPass> {
    const witnessed = await this.opts.log.latestWitnessed();
    if (!witnessed) return { checkpoint_size: null, partners: [] };
    const partners: PartnerPass[] = [];
    for (const partner of this.opts.policy.partners.values()) partners.push(await this.partnerPass(partner, witnessed));
    return { checkpoint_size: witnessed.row.tree_size, partners };
  }

  private async partnerPass(partner: PartnerPolicy, checkpoint: { row: { tree_size: number; root: string }; note: string }): Promise<PartnerPass> {
    const fed = this.opts.store.federation;
    const size = checkpoint.row.tree_size;
    const result: PartnerPass = { partner: partner.name, packaged: [], denied: [], skipped: [] };
    let state = await fed.partnerState(partner.name, partner.selectionDigest);
    if (state.sent_size > size) {
      result.stopped = `the newest witnessed checkpoint (size ${size}) is older than the one last sent (size ${state.sent_size})`;
      return result;
    }
    if (state.scanned_size >= size) return result;
    for (const compositionId of await fed.compositionsWithLeaves(state.scanned_size, size)) {
      try {
        state = await this.packageComposition(partner, compositionId, checkpoint, state, result);
      } catch (err) {
        // another packager wrote first (two ledger processes on one store): this one reads again next pass
        if (!(err instanceof StopPass) && !(err instanceof OutboxConflictError)) throw err;
        result.stopped = err.message;
        this.opts.logger?.warn({ partner: partner.name, composition_id: compositionId, why: err.message }, 'federation: packaging for the partner stopped until the next pass');
        return result;
      }
    }
    await fed.setScanned(partner.name, size);
    return result;
  }

  /** Packages the composition's new runs for the partner; returns the partner's state after them. */
  private async packageComposition(partner: PartnerPolicy, compositionId: string, checkpoint: { row: { tree_size: number; root: string }; note: string }, state: PartnerState, result: PartnerPass): Promise<PartnerState> {
    const fed = this.opts.store.federation;
    const size = checkpoint.row.tree_size;
    let progress = await fed.progress(partner.name, compositionId);
    const covered = await fed.coveredEvents(compositionId, size);
    if (covered.length === 0 || covered.at(-1)!.sequence <= progress) return state;
    if (covered.some((row, i) => row.sequence !== i + 1)) {
      result.skipped.push({ composition_id: compositionId, why: 'the events under the checkpoint are not the start of the chain' });
      return state;
    }
    const events = covered.map((row) => JSON.parse(row.body) as AuditEvent);
    const type = compositionTypeOf(events);
    if (partner.compositionTypes && !partner.compositionTypes.includes(type)) return state;
    // a partner none of whose issuers took part is not a candidate (the same rule the receiver applies)
    const took = tookPart(events, partner.issuers);
    if (!took) return state;

    const run = covered.map((row, i) => ({ row, event: events[i]! })).filter(({ row }) => row.sequence > progress);
    const unsigned = run.find(({ row }) => !row.emitter_kid || !row.emitter_sig);
    if (unsigned) {
      // admitted before emitter signatures existed: a partner could not check it
      result.skipped.push({ composition_id: compositionId, why: `${unsigned.row.event_id} carries no emitter signature` });
      return state;
    }
    for (const part of splitRun(run, size)) {
      const from = part[0]!.row.sequence;
      const to = part.at(-1)!.row.sequence;
      const schemaIds = schemaIdsOf(part.map((p) => p.event));
      const facts = { sender: this.opts.policy.sender, partner: partner.name, composition_id: compositionId, composition_type: type, partner_took_part: took, from_sequence: from, to_sequence: to, schema_ids: schemaIds };
      let decision;
      try {
        decision = await decideSlice(this.opts.pdp, facts, new Date(this.now()));
      } catch (err) {
        throw new StopPass(`no PDP decision for ${compositionId} ${from}–${to}: ${(err as Error).message}`);
      }
      const record = { ...facts, composition_type: type || null, outcome: decision.outcome, uds_eval_id: decision.uds_eval_id, evaluated_at: decision.evaluated_at, decided_ms: this.now() };
      if (decision.outcome !== 'ALLOW') {
        await fed.recordDecision(record);
        result.denied.push({ composition_id: compositionId, from_sequence: from, to_sequence: to, uds_eval_id: decision.uds_eval_id });
        this.opts.logger?.info({ partner: partner.name, composition_id: compositionId, from, to, uds_eval_id: decision.uds_eval_id }, 'federation: the PDP denied a slice; nothing sent');
        return state;
      }
      let message: Buffer;
      let digest: string;
      let consistency: { from_size: number; proof: string[] } | null;
      try {
        consistency = await this.consistencyFrom(state, checkpoint);
        const proofs = new Map<string, { leaf_index: number; proof: string[] }>();
        for (const { row } of part) {
          const answer = await this.opts.log.inclusion(row.event_id, size);
          proofs.set(row.event_id, { leaf_index: answer.leaf_index, proof: answer.proof });
        }
        const slice = assembleSlice({
          sender: this.opts.policy.sender,
          partner: partner.name,
          sliceSeq: state.next_seq,
          compositionId,
          run: part,
          checkpointNote: checkpoint.note,
          proofs,
          consistency,
          fingerprint: this.opts.fingerprint,
          udsEvalId: decision.uds_eval_id,
        });
        message = await sliceMessage(slice, this.opts.signingKey);
        if (message.length > MAX_SLICE_BYTES) throw new SliceAssemblyError(`the slice message has ${message.length} bytes, more than ${MAX_SLICE_BYTES}`);
        digest = digestOf(slice);
      } catch (err) {
        if (!(err instanceof SliceAssemblyError)) throw err;
        this.opts.logger?.error({ partner: partner.name, composition_id: compositionId, err: err.message }, 'federation: a slice could not be assembled');
        throw new StopPass(err.message);
      }
      await fed.packageSlice({
        partner: partner.name,
        slice_seq: state.next_seq,
        composition_id: compositionId,
        previous_sequence: progress,
        from_sequence: from,
        to_sequence: to,
        checkpoint_size: size,
        checkpoint_root: checkpoint.row.root,
        digest,
        message: message.toString('utf8'),
        created_ms: this.now(),
        decision: record,
      });
      result.packaged.push({ slice_seq: state.next_seq, composition_id: compositionId, from_sequence: from, to_sequence: to });
      this.opts.logger?.info({ partner: partner.name, slice_seq: state.next_seq, composition_id: compositionId, from, to, checkpoint_size: size, consistency_from: consistency?.from_size ?? null }, 'federation: slice packaged');
      state = { ...state, next_seq: state.next_seq + 1, sent_size: size, sent_root: checkpoint.row.root };
      progress = to;
    }
    return state;
  }

  /**
   * The consistency proof from the checkpoint of the partner's previous slice (none for the first slice or the
   * same tree), checked here against the root that slice carried: a log rewritten since would be refused by
   * the partner anyway, and must not be sent.
   */
  private async consistencyFrom(state: PartnerState, checkpoint: { row: { tree_size: number; root: string } }): Promise<{ from_size: number; proof: string[] } | null> {
    const size = checkpoint.row.tree_size;
    if (state.sent_size === 0) return null;
    if (state.sent_size === size) {
      if (state.sent_root !== checkpoint.row.root) throw new SliceAssemblyError(`the checkpoint of size ${size} has another root than the one last sent to ${state.partner}: the log was rewritten`);
      return null;
    }
    const { proof } = await this.opts.log.consistency(state.sent_size, size);
    const ok = verifyConsistency(state.sent_size, size, proof.map((p) => Buffer.from(p, 'base64')), Buffer.from(state.sent_root ?? '', 'hex'), Buffer.from(checkpoint.row.root, 'hex'));
    if (!ok) throw new SliceAssemblyError(`the log of size ${size} is not consistent with the checkpoint of size ${state.sent_size} last sent to ${state.partner}: the log was rewritten`);
    return { from_size: state.sent_size, proof };
  }
}

/** For logs: a pass in a line's worth of numbers. */
export function passSummary(pass: PackagingPass): Record<string, unknown> {
  return {
    checkpoint_size: pass.checkpoint_size,
    partners: Object.fromEntries(pass.partners.map((p) => [p.partner, { packaged: p.packaged.length, denied: p.denied.length, skipped: p.skipped.length, ...(p.stopped ? { stopped: p.stopped } : {}) }])),
  };
}
