/**
 * What the ledger answers about its log (served over HTTP by ledger/log/http.ts, and used by `coord audit
 * log`): the latest checkpoint with the cosignatures collected, inclusion and consistency proofs, and the
 * witnesses' cosignatures and refusals, each checked against the pinned witness keys before it is kept.
 */
import { parseCheckpoint } from '../../audit/tlog/checkpoint.js';
import { consistencyProof, inclusionProof } from '../../audit/tlog/merkle.js';
import { openNote } from '../../audit/tlog/note.js';
import { toBase64 } from '../../audit/tlog/encoding.js';
import { parseRefusal, verifyRefusal } from '../../audit/tlog/witness-refusal.js';
import type { PinnedWitness } from './log-key.js';
import type { LedgerStore } from '../store.js';
import type { CheckpointRow } from './rows.js';

/** The checkpoint body of a note the log signed itself (its text: everything before the blank line). */
export const checkpointBody = (row: CheckpointRow): string => row.note.slice(0, row.note.indexOf('\n\n') + 1);

/** A refusal of the request itself: status and a stable code. */
export class LogRequestError extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface InclusionAnswer {
  event_id: string;
  leaf_index: number;
  tree_size: number;
  /** base64 of the RFC 9162 leaf hash */
  leaf_hash: string;
  proof: string[];
}

export class LogService {
  constructor(
    private readonly store: LedgerStore,
    /** the witnesses whose cosignatures count, by name; asked each time (a dev witness may appear later) */
    private readonly pinnedWitnesses: () => ReadonlyMap<string, PinnedWitness>,
  ) {}

  private get witnesses(): ReadonlyMap<string, PinnedWitness> {
    return this.pinnedWitnesses();
  }

  get witnessNames(): string[] {
    return [...this.witnesses.keys()];
  }

  /** The checkpoint (latest, or of `size`) as a note carrying every cosignature collected for it. */
  async checkpointNote(size?: number): Promise<{ row: CheckpointRow; note: string; witnessed: boolean } | undefined> {
    const row = await this.store.log.checkpoint(size);
    if (!row) return undefined;
    const cosignatures = await this.store.log.cosignatures(row.tree_size);
    const note = row.note.endsWith('\n') ? row.note : `${row.note}\n`;
    return { row, note: note + cosignatures.map((c) => `${c.line}\n`).join(''), witnessed: this.witnessed(cosignatures.map((c) => c.witness)) };
  }

  /** The newest checkpoint every configured witness cosigned (none configured: none is witnessed). */
  async latestWitnessed(): Promise<{ row: CheckpointRow; note: string } | undefined> {
    // no witness configured: no checkpoint can be witnessed, so do not walk the whole history to learn it
    if (this.witnesses.size === 0) return undefined;
    let size: number | undefined;
    for (;;) {
      const found = await this.checkpointNote(size);
      if (!found || found.witnessed) return found;
      const previous = await this.store.log.checkpointBefore(found.row.tree_size);
      if (!previous) return undefined;
      size = previous.tree_size;
    }
  }

  private witnessed(names: readonly string[]): boolean {
    const witnesses = this.witnesses;
    return witnesses.size > 0 && [...witnesses.keys()].every((w) => names.includes(w));
  }

  async inclusion(eventId: string, size?: number): Promise<InclusionAnswer> {
    const index = await this.store.log.leafIndex(eventId);
    if (index === undefined) throw new LogRequestError(404, 'ERR_NOT_FOUND', `the log holds no event ${eventId}`);
    const treeSize = size ?? (await this.store.log.checkpoint())?.tree_size ?? (await this.store.log.size());
    if (index >= treeSize) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `${eventId} is leaf ${index}, not within a tree of ${treeSize}`);
    if (treeSize > (await this.store.log.size())) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `the log has fewer than ${treeSize} leaves`);
    const [leaf] = await this.store.log.nodes([{ level: 0, index }]);
    const proof = await inclusionProof(this.store.log, index, treeSize);
    return { event_id: eventId, leaf_index: index, tree_size: treeSize, leaf_hash: toBase64(leaf!), proof: proof.map(toBase64) };
  }

  async consistency(from: number, to: number): Promise<{ from: number; to: number; proof: string[] }> {
    const size = await this.store.log.size();
    if (!(from >= 1 && from <= to && to <= size)) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `a consistency proof needs 1 ≤ from ≤ to ≤ ${size}; got ${from}, ${to}`);
    return { from, to, proof: (await consistencyProof(this.store.log, from, to)).map(toBase64) };
  }

  /** A witness's cosigned checkpoint (the checkpoint body with its cosignature line): kept when it verifies. */
  async acceptCosignature(note: string, now = Date.now()): Promise<{ size: number; witness: string; witnessed: boolean }> {
    let opened;
    try {
      opened = openNote(note, [...this.witnesses.values()].map((w) => w.verifier));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_NOTE_UNVERIFIED') throw new LogRequestError(403, 'ERR_WITNESS_UNKNOWN', 'no pinned witness key signed this note');
      throw new LogRequestError(400, 'ERR_BAD_REQUEST', `not a cosigned checkpoint: ${(err as Error).message}`);
    }
    let size: number;
    try {
      size = parseCheckpoint(opened.text).size;
    } catch (err) {
      throw new LogRequestError(400, 'ERR_BAD_REQUEST', (err as Error).message);
    }
    const ours = await this.store.log.checkpoint(size);
    const ourBody = ours ? checkpointBody(ours) : undefined;
    if (!ours || ourBody !== opened.text) throw new LogRequestError(404, 'ERR_NOT_FOUND', `the log issued no checkpoint with this body (size ${size})`);
    const lines = note.split('\n');
    for (const signature of opened.signatures) {
      const line = lines.find((l) => l.startsWith(`\u2014 ${signature.name} `))!;
      await this.store.log.addCosignature({ tree_size: size, witness: signature.name, line, received_ms: now });
    }
    const witness = opened.signatures[0]!.name;
    return { size, witness, witnessed: this.witnessed((await this.store.log.cosignatures(size)).map((c) => c.witness)) };
  }

  /** A witness's signed refusal: kept (a self-audit alarm) when a pinned witness signed it. */
  async acceptRefusal(body: unknown, now = Date.now()): Promise<void> {
    const refusal = parseRefusal(body);
    if (!refusal) throw new LogRequestError(400, 'ERR_BAD_REQUEST', 'not a witness refusal (fields, sizes, reason or lengths)');
    const witness = this.witnesses.get(refusal.witness);
    if (!witness) throw new LogRequestError(403, 'ERR_WITNESS_UNKNOWN', `${refusal.witness} is not a pinned witness`);
    if (!verifyRefusal(refusal, witness.vkey)) throw new LogRequestError(403, 'ERR_SIGNATURE_INVALID', 'the refusal is not signed by the witness');
    await this.store.log.addRefusal({
      witness: refusal.witness,
      reason: refusal.reason,
      old_size: refusal.old_size,
      new_size: refusal.new_size,
      detail: refusal.detail,
      body: JSON.stringify(refusal),
      received_ms: now,
    });
  }
}
