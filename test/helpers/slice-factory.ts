/**
 * Genuine federation slices for tests, with no server: §7b compositions (audit/examples/vrs-screening.ts)
 * signed by a throwaway emitter, a transparency log kept in memory (RFC 9162 tree over the events' canonical
 * lines, in the order they are admitted), checkpoints signed by a generated log key and cosigned by a
 * generated witness, schema fingerprints, a PDP decision stub, and a generated slice-signing key. It keeps
 * what a sender keeps per partner — the next slice_seq and the checkpoint size of the previous slice, which
 * the next slice's consistency proof starts from — and gives the `SliceTrust` (or the trust file) that pins
 * exactly its keys.
 *
 *   const f = await SliceFactory.create();
 *   const events = f.composition('cmp_A');            // admitted to the log
 *   const first = await f.next(events.slice(0, 5));   // { slice, bytes }, slice_seq 1
 *   const second = await f.next(events.slice(5));     // slice_seq 2, consistency from the first checkpoint
 *   verifySlice(first.bytes, f.trust, held)
 */
import { exportJWK, generateKeyPair, CompactSign } from 'jose';
import { canonicalJson } from '../../audit/canonical.js';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../../audit/chain.js';
import { publicJwkOf, thumbprintOf, type SigningKey } from '../../audit/bundle/signing-key.js';
import { EmitterKeyring, EmitterSigner } from '../../audit/emitter-signature.js';
import { SEED_ISSUERS, vrsScreeningSteps, type VrsStep } from '../../audit/examples/vrs-screening.js';
import { digestOf, signedBytes } from '../../audit/slice/digest.js';
import { SLICE_FORMAT, type Slice } from '../../audit/slice/format.js';
import { catalogFingerprints, fingerprintOf } from '../../audit/slice/schema-fingerprint.js';
import { sliceMessage } from '../../audit/slice/sign.js';
import type { SliceTrust } from '../../audit/slice/verify.js';
import { formatCheckpoint } from '../../audit/tlog/checkpoint.js';
import { cosign, cosignerFromKey, generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { toBase64 } from '../../audit/tlog/encoding.js';
import { EMPTY_RANGE, appendLeaves, consistencyProof, inclusionProof, leafHash, root, type CompactRange, type NodeId } from '../../audit/tlog/merkle.js';
import { signNote } from '../../audit/tlog/note.js';
import { generateNoteKey, noteSigner } from '../../audit/tlog/note-keys.js';
import type { AuditEvent } from '../../schemas/catalog.js';

export const SENDER = 'ledger';
export const PARTNER = 'partner';
export const LOG_ORIGIN = 'ledger.test/audit-log';
export const WITNESS_NAME = 'witness.partner.test';
/** An issuer that takes part in no composition (for a partner that may hold none of them). */
export const STRANGER_ISSUER = 'idp.stranger.example';

type NoteKey = { signerKey: string; verifierKey: string };

/** A fresh Ed25519 slice-signing key, kept nowhere. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = publicJwkOf(await exportJWK(publicKey));
  return { privateKey, publicJwk, kid: thumbprintOf(publicJwk) };
}

/** The trust file a partner would keep for these keys (workers/federation/trust.ts reads it). */
export interface TrustFileJson {
  sender: string;
  partner: string;
  slice_key: unknown;
  emitter_keys: unknown[];
  log_keys: string[];
  witness_keys: string[];
  schema_fingerprints: Record<string, string[]>;
  own_issuers: string[];
}

/** The transparency log in memory: leaves in admission order, every complete subtree stored. */
class MemoryLog {
  readonly lines: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly nodes = new Map<string, Uint8Array>();
  private range: CompactRange = EMPTY_RANGE;
  readonly reader = { nodes: (ids: readonly NodeId[]) => ids.map((i) => this.nodes.get(`${i.level}:${i.index}`)!) };

  get size(): number {
    return this.range.size;
  }

  append(lines: readonly string[]): void {
    const fresh = lines.filter((l) => !this.index.has(l));
    const { range, nodes } = appendLeaves(this.range, fresh.map((l) => leafHash(Buffer.from(l, 'utf8'))));
    for (const n of nodes) this.nodes.set(`${n.level}:${n.index}`, n.hash);
    for (const l of fresh) {
      this.index.set(l, this.lines.length);
      this.lines.push(l);
    }
    this.range = range;
  }

  leafIndex(line: string): number {
    const i = this.index.get(line);
    if (i === undefined) throw new Error('the event was never admitted to the log: call admit() first');
    return i;
  }

  copy(): MemoryLog {
    const c = new MemoryLog();
    c.append(this.lines);
    return c;
  }
}

export interface SliceOptions {
  /** default: the next one of this factory's sequence */
  seq?: number;
  /** the checkpoint's tree size (default: the whole log now) */
  size?: number;
  /** where the consistency proof starts (default: the previous slice's checkpoint size; null: none) */
  consistencyFrom?: number | null;
  /** the checkpoint note (default: signed by the log key, cosigned by the witness) */
  checkpoint?: string;
  partner?: string;
  /** the schemas stated (default: each used, with its catalog fingerprint) */
  schemas?: Slice['schemas'];
}

export class SliceFactory {
  readonly sender = SENDER;
  readonly partner = PARTNER;
  readonly emitter: EmitterSigner;
  readonly logKey: NoteKey;
  readonly witnessKey: NoteKey;
  readonly sliceKey: SigningKey;
  readonly ownIssuers: string[];
  private log = new MemoryLog();
  private nextSeq = 1;
  private lastSize = 0;
  private decisions = 0;

  private constructor(keys: { emitter: EmitterSigner; logKey: NoteKey; witnessKey: NoteKey; sliceKey: SigningKey; ownIssuers: string[] }) {
    this.emitter = keys.emitter;
    this.logKey = keys.logKey;
    this.witnessKey = keys.witnessKey;
    this.sliceKey = keys.sliceKey;
    this.ownIssuers = keys.ownIssuers;
  }

  /** Fresh keys; the partner's own issuer is the §7b example's partner (the PSI round's node A). */
  static async create(opts: { ownIssuers?: string[] } = {}): Promise<SliceFactory> {
    return new SliceFactory({
      emitter: EmitterSigner.ephemeral(),
      logKey: generateNoteKey(LOG_ORIGIN),
      witnessKey: generateCosignerKey(WITNESS_NAME),
      sliceKey: await generateSigningKey(),
      ownIssuers: opts.ownIssuers ?? [SEED_ISSUERS.partner],
    });
  }

  /** What the partner pins. */
  get trust(): SliceTrust {
    return {
      sender: this.sender,
      partner: this.partner,
      sliceKey: this.sliceKey.publicJwk,
      emitters: new EmitterKeyring([this.emitter.publicJwk]),
      logKeys: [this.logKey.verifierKey],
      witnessKeys: [this.witnessKey.verifierKey],
      schemaFingerprints: catalogFingerprints(),
      ownIssuers: this.ownIssuers,
    };
  }

  /** The same, as the JSON of a trust file. */
  trustFile(): TrustFileJson {
    return {
      sender: this.sender,
      partner: this.partner,
      slice_key: this.sliceKey.publicJwk,
      emitter_keys: [this.emitter.publicJwk],
      log_keys: [this.logKey.verifierKey],
      witness_keys: [this.witnessKey.verifierKey],
      schema_fingerprints: catalogFingerprints(),
      own_issuers: this.ownIssuers,
    };
  }

  /**
   * The nine §7b events of a composition, admitted to the log (unless `admit: false`). `entitled: false`
   * gives the PSI round's node A a stranger's issuer, so none of the partner's issuers takes part; `steps`
   * picks or edits the example's steps (a lifecycle the declared machine refuses, say).
   */
  composition(compositionId: string, opts: { entitled?: boolean; admit?: boolean; steps?: (steps: VrsStep[]) => VrsStep[] } = {}): AuditEvent[] {
    let steps = vrsScreeningSteps();
    if (opts.entitled === false) steps = steps.map((s) => (s.payload.node_a_issuer ? { ...s, payload: { ...s.payload, node_a_issuer: STRANGER_ISSUER } } : s));
    if (opts.steps) steps = opts.steps(steps);
    let head = EMPTY_CHAIN;
    const events = steps.map((step) => {
      const draft = { schema_id: step.schemaId, composition_id: compositionId, ts_utc: step.ts, actor: step.actor, ...(step.agent ? { agent: step.agent } : {}), auth: step.auth, payload: step.payload, abac_decision: step.abac } as EventDraft;
      const next = appendToChain(head, draft);
      head = next.head;
      return next.event;
    });
    if (opts.admit !== false) this.admit(events);
    return events;
  }

  /** The ledger admits these events: each becomes the log's next leaf (a line already there is kept). */
  admit(events: readonly AuditEvent[]): void {
    this.log.append(events.map((e) => canonicalJson(e)));
  }

  get logSize(): number {
    return this.log.size;
  }

  /** The checkpoint note of the log at `size`, signed by the log key and cosigned by `witnesses` (default: the pinned one). */
  async checkpoint(size = this.log.size, opts: { witnesses?: NoteKey[]; logKey?: NoteKey } = {}): Promise<string> {
    const body = formatCheckpoint({ origin: LOG_ORIGIN, size, root: await root(this.log.reader, size), extensions: [] });
    const cosignatures = (opts.witnesses ?? [this.witnessKey]).map((w) => cosign(body, cosignerFromKey(w.signerKey), 1_700_000_000));
    return signNote(body, noteSigner((opts.logKey ?? this.logKey).signerKey)) + cosignatures.join('');
  }

  /** A slice of `events` (a contiguous run of one composition, admitted), unsigned; advances the sequence unless `seq` is given. */
  async slice(events: readonly AuditEvent[], opts: SliceOptions = {}): Promise<Slice> {
    const size = opts.size ?? this.log.size;
    const lines = events.map((e) => canonicalJson(e));
    const proofs = [];
    for (const [i, line] of lines.entries()) {
      const leaf = this.log.leafIndex(line);
      proofs.push({ event_id: events[i]!.event_id, leaf_index: leaf, proof: (await inclusionProof(this.log.reader, leaf, size)).map(toBase64) });
    }
    const from = opts.consistencyFrom === undefined ? this.lastSize : opts.consistencyFrom;
    const consistency = from && from < size ? { from_size: from, proof: (await consistencyProof(this.log.reader, from, size)).map(toBase64) } : null;
    const schemaIds = [...new Set(events.map((e) => e.schema_id))];
    const seq = opts.seq ?? this.nextSeq++;
    this.lastSize = size;
    this.decisions += 1;
    const first = events[0]!;
    return {
      format: SLICE_FORMAT,
      sender: this.sender,
      partner: opts.partner ?? this.partner,
      slice_seq: seq,
      composition_id: first.composition_id,
      from_sequence: Number(first.event_id.slice(first.event_id.lastIndexOf('_') + 1)),
      events: lines,
      signatures: events.map((e) => ({ event_id: e.event_id, ...this.emitter.sign(e.this_hash) })),
      checkpoint: opts.checkpoint ?? (await this.checkpoint(size)),
      proofs,
      consistency,
      schemas: opts.schemas ?? schemaIds.map((schema_id) => ({ schema_id, fingerprint: fingerprintOf(schema_id)! })),
      decision: { action: 'federate', outcome: 'ALLOW', uds_eval_id: `ueval_fed_${this.decisions}` },
    };
  }

  /** The message bytes of a slice, signed with the slice key (or `key`). */
  sign(slice: Slice, key: SigningKey = this.sliceKey): Promise<Buffer> {
    return sliceMessage(slice, key);
  }

  /** `slice()` then `sign()`. */
  async next(events: readonly AuditEvent[], opts: SliceOptions = {}): Promise<{ slice: Slice; bytes: Buffer; digest: string }> {
    const slice = await this.slice(events, opts);
    return { slice, bytes: await this.sign(slice), digest: digestOf(slice) };
  }

  /**
   * The same keys over another history (a split view): the log's first leaf replaced, so every root
   * differs from this log's at every size. Slice sequence and consistency state are carried over.
   */
  fork(): SliceFactory {
    const f = new SliceFactory({ emitter: this.emitter, logKey: this.logKey, witnessKey: this.witnessKey, sliceKey: this.sliceKey, ownIssuers: this.ownIssuers });
    f.log.append([canonicalJson({ forged: 'a leaf the genuine log never had' }), ...this.log.lines.slice(1)]);
    f.nextSeq = this.nextSeq;
    f.lastSize = this.lastSize;
    return f;
  }

  /** A copy of this factory's state (keys shared): to build two versions of one future slice. */
  clone(): SliceFactory {
    const f = new SliceFactory({ emitter: this.emitter, logKey: this.logKey, witnessKey: this.witnessKey, sliceKey: this.sliceKey, ownIssuers: this.ownIssuers });
    f.log = this.log.copy();
    f.nextSeq = this.nextSeq;
    f.lastSize = this.lastSize;
    return f;
  }
}

/** A JWS over the slice whose header names `claimed` (kid and jwk) but whose signature is `signer`'s: a forgery. */
export async function forgedMessage(slice: Slice, claimed: SigningKey, signer: SigningKey): Promise<Buffer> {
  const jws = await new CompactSign(signedBytes(slice)).setProtectedHeader({ alg: 'EdDSA', kid: claimed.kid, jwk: claimed.publicJwk }).sign(signer.privateKey);
  const [header, , signature] = jws.split('.');
  return Buffer.from(JSON.stringify({ slice, jws: `${header}..${signature}` }), 'utf8');
}

/** Re-serialises an event after `edit`, canonical; with `rehash`, its this_hash recomputed. */
export function editedLine(line: string, edit: (event: Record<string, unknown>) => void, opts: { rehash?: boolean } = {}): string {
  const event = JSON.parse(line) as Record<string, unknown>;
  edit(event);
  if (opts.rehash) {
    const { this_hash: _old, ...rest } = event;
    event.this_hash = digestOf(rest);
  }
  return canonicalJson(event);
}
