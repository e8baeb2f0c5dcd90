/**
 * Verifying a federation slice (audit/slice/format.ts) with nothing but the receiver's trust file and what
 * it already holds: no server of the sender is asked anything. In order —
 *  1. shape: the message parses, within bounds, for this receiver from the pinned sender;
 *  2. the events themselves: each line is its event's canonical JSON, the event is valid, hashes to its
 *     this_hash, carries a pinned emitter's signature, and the run is one contiguous piece of one chain;
 *  3. the slice signature, against the pinned slice key;
 *  4. schemas: every schema used, with a fingerprint the trust file accepts;
 *  5. the checkpoint: signed by a pinned log key, cosigned by every pinned witness, every event proven in it;
 *  6. against what is held: the slice's place in the sequence (a duplicate, or one that waits for an earlier
 *     slice), the checkpoint consistent with the last one held, the chain going on from the held head, the
 *     lifecycle still valid, and the composition one of this organisation's issuers took part in.
 * A refusal in 1–5 proves nothing about the sender (anyone can put bytes on a queue), so it leaves the
 * receiver's state alone; one in 6 is of a genuine slice and uses up its place in the sequence.
 */
import type { JWK } from 'jose';
import { canonicalJson } from '../canonical.js';
import { verifyManifestSignature } from '../bundle/signature.js';
import type { EmitterKeyring } from '../emitter-signature.js';
import { thisHashNative } from '../native-hash.js';
import { sequenceOf } from '../event-id.js';
import { openPinnedCheckpoint } from '../tlog/pinned-checkpoint.js';
import { leafHash, verifyConsistency, verifyInclusion, equalBytes } from '../tlog/merkle.js';
import { validateEvent, type AuditEvent } from '../../schemas/catalog.js';
import { replayState } from '../../schemas/replay-state.js';
import { digestOf, signedBytes } from './digest.js';
import { tookPart } from './entitlement.js';
import { MAX_SLICE_BYTES, sliceMessageSchema, sliceSchema, type Slice, type SliceReason } from './format.js';

/** What the receiver pins (its trust file, workers/federation/trust.ts). */
export interface SliceTrust {
  /** the sending organisation */
  sender: string;
  /** this receiving organisation */
  partner: string;
  /** the sender's slice-signing public key (its export signing key) */
  sliceKey: JWK;
  emitters: EmitterKeyring;
  /** C2SP verifier keys of the sender's transparency log */
  logKeys: readonly string[];
  /** cosignature verifier keys: each must have cosigned a slice's checkpoint */
  witnessKeys: readonly string[];
  /** schema_id → the JSON Schema fingerprints accepted for it */
  schemaFingerprints: Readonly<Record<string, readonly string[]>>;
  /** this organisation's issuers: a composition none of them took part in is not ours to hold */
  ownIssuers: readonly string[];
}

/** What the receiver holds, as far as verification needs it. */
export interface HeldView {
  /** the slice held at this place of the sequence (imported or refused), by digest */
  slice(seq: number): { digest: string; status: 'accepted' | 'refused' } | undefined;
  /** the next place of the sequence to import */
  nextSeq(): number;
  /** the held events of a composition, in order */
  events(compositionId: string): AuditEvent[];
  /** the largest checkpoint held */
  latestCheckpoint(): { size: number; root: Uint8Array } | undefined;
}

export interface ProvenCheckpointNote {
  size: number;
  root: Uint8Array;
  note: string;
}

export type SliceVerdict =
  | { status: 'accepted'; slice: Slice; digest: string; events: AuditEvent[]; checkpoint: ProvenCheckpointNote }
  | { status: 'duplicate'; slice: Slice; digest: string }
  | { status: 'pending'; slice: Slice; digest: string; reason: 'waiting_for_earlier_slice'; detail: string }
  | {
      status: 'refused';
      reason: SliceReason;
      detail: string;
      slice?: Slice;
      digest?: string;
      usesSeq: boolean;
      /**
       * A refusal of a genuine slice whose checkpoint held — proven consistent with the receiver's — carries
       * it: the receiver keeps it like an accepted slice's, since the sender's next slice proves consistency
       * from it. (Without it, one refusal of that kind would make every later slice checkpoint_inconsistent.)
       */
      checkpoint?: ProvenCheckpointNote;
    };

type Refusal = Extract<SliceVerdict, { status: 'refused' }>;
const refuse = (reason: SliceReason, detail: string, extra: Partial<Refusal> = {}): Refusal => ({ status: 'refused', reason, detail, usesSeq: false, ...extra });

/** 1. The message and the slice's shape. */
function parse(bytes: Uint8Array, trust: SliceTrust): { slice: Slice; jws: string } | Refusal {
  if (bytes.length > MAX_SLICE_BYTES) return refuse('slice_malformed', `the message is larger than ${MAX_SLICE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return refuse('slice_malformed', `not JSON: ${(err as Error).message}`);
  }
  const message = sliceMessageSchema.safeParse(value);
  if (!message.success) return refuse('slice_malformed', `message ${message.error.issues[0]!.path.join('.')}: ${message.error.issues[0]!.message}`);
  const slice = sliceSchema.safeParse(message.data.slice);
  if (!slice.success) return refuse('slice_malformed', `slice.${slice.error.issues[0]!.path.join('.')}: ${slice.error.issues[0]!.message}`);
  const s = slice.data;
  if (s.sender !== trust.sender || s.partner !== trust.partner) return refuse('wrong_partner', `a slice from ${s.sender} for ${s.partner}; this node receives from ${trust.sender} for ${trust.partner}`);
  if (s.signatures.length !== s.events.length || s.proofs.length !== s.events.length) return refuse('slice_malformed', 'signatures and proofs must stand beside the events, one each');
  return { slice: s, jws: message.data.jws };
}

/** 2. Each event, and the run as one piece of one chain. */
function checkEvents(slice: Slice, trust: SliceTrust): AuditEvent[] | Refusal {
  const events: AuditEvent[] = [];
  for (const [i, line] of slice.events.entries()) {
    const at = `events[${i}]`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return refuse('event_invalid', `${at} is not JSON`);
    }
    if (canonicalJson(value) !== line) return refuse('event_invalid', `${at} is not its event's canonical JSON`);
    const valid = validateEvent(value);
    if (!valid.ok) return refuse('event_invalid', `${at}${valid.path}: ${valid.message}`);
    const event = valid.event;
    const hash = thisHashNative(event as unknown as Record<string, unknown>);
    if (hash !== event.this_hash) return refuse('event_hash_mismatch', `${event.event_id}: this_hash is ${event.this_hash} but the event hashes to ${hash}`);
    const signature = slice.signatures[i]!;
    const unsigned = signature.event_id === event.event_id ? trust.emitters.check(event.this_hash, signature) : 'signature_missing';
    if (unsigned) return refuse('emitter_signature_invalid', `${event.event_id}: ${unsigned}`);
    const seq = sequenceOf(event.event_id, event.composition_id);
    if (event.composition_id !== slice.composition_id || seq !== slice.from_sequence + i) {
      return refuse('chain_broken', `${at} is ${event.event_id}, not event ${slice.from_sequence + i} of ${slice.composition_id}`);
    }
    const previous = events[i - 1];
    if (previous && (event.prev_hash !== previous.this_hash || event.causal_predecessor !== previous.event_id)) {
      return refuse('chain_broken', `${event.event_id} does not link to ${previous.event_id}`);
    }
    events.push(event);
  }
  return events;
}

/** 3. The detached signature over the slice's canonical JSON, by the pinned key. */
async function checkSignature(slice: Slice, jws: string, trust: SliceTrust): Promise<Refusal | undefined> {
  const check = await verifyManifestSignature(jws, signedBytes(slice), trust.sliceKey);
  if (check.ok) return undefined;
  // signature_wrong_key: a well-formed signature by another key. kid_mismatch (the header's kid is not its
  // key's thumbprint), a malformed or a failing signature: the JWS itself does not hold.
  if (check.kind === 'signature_wrong_key') return refuse('slice_key_untrusted', check.reason ?? 'signed by a key this node does not pin');
  return refuse('slice_signature_invalid', check.reason ?? 'the slice signature does not hold');
}

/** 4. Schemas the trust file accepts, for every event. */
function checkSchemas(slice: Slice, events: readonly AuditEvent[], trust: SliceTrust): Refusal | undefined {
  const stated = new Map(slice.schemas.map((s) => [s.schema_id, s.fingerprint]));
  for (const event of events) {
    const fingerprint = stated.get(event.schema_id);
    if (!fingerprint || !(trust.schemaFingerprints[event.schema_id] ?? []).includes(fingerprint)) {
      return refuse('schema_unpinned', `${event.event_id}: schema ${event.schema_id} ${fingerprint ? `with fingerprint ${fingerprint} is not accepted` : 'is not stated'} by this node's trust file`);
    }
  }
  return undefined;
}

/** 5. The checkpoint, and every event's inclusion in it. */
function checkCheckpoint(slice: Slice, events: readonly AuditEvent[], trust: SliceTrust): ProvenCheckpointNote | Refusal {
  const opened = openPinnedCheckpoint(slice.checkpoint, trust.logKeys, trust.witnessKeys);
  if (!opened.ok) return refuse('checkpoint_invalid', opened.reason === 'unsigned' ? 'the checkpoint is not signed by a pinned log key' : `the checkpoint: ${opened.detail}`);
  if (opened.missingWitnesses.length) return refuse('checkpoint_not_witnessed', `no cosignature of ${opened.missingWitnesses.join(', ')} on the checkpoint`);
  // C2SP: a log key's name is its log's origin; a checkpoint of another log signed by the same key is not this log's
  if (!opened.logSigners.includes(opened.origin)) return refuse('checkpoint_invalid', `the checkpoint's origin ${JSON.stringify(opened.origin)} is not the name of the pinned log key that signed it`);
  const { size, root } = opened;
  for (const [i, line] of slice.events.entries()) {
    const { event_id, leaf_index, proof } = slice.proofs[i]!;
    const hashes = proof.map((p) => Buffer.from(p, 'base64'));
    if (event_id !== events[i]!.event_id) return refuse('inclusion_proof_invalid', `proofs[${i}] is for ${event_id}, not ${events[i]!.event_id}`);
    if (leaf_index >= size || !verifyInclusion(leafHash(Buffer.from(line, 'utf8')), leaf_index, size, hashes, root)) {
      return refuse('inclusion_proof_invalid', `${event_id} is not leaf ${leaf_index} of the checkpoint's tree of ${size}`);
    }
  }
  return { size, root, note: slice.checkpoint };
}

/** 6. Against what the receiver holds (the slice is genuine: a refusal here uses up its place). */
function checkAgainstHeld(slice: Slice, digest: string, events: AuditEvent[], checkpoint: ProvenCheckpointNote, trust: SliceTrust, held: HeldView): SliceVerdict {
  const inconsistent = (detail: string) => refuse('checkpoint_inconsistent', detail, { slice, digest, usesSeq: true });
  const latest = held.latestCheckpoint();
  if (latest) {
    if (checkpoint.size < latest.size) return inconsistent(`the checkpoint (size ${checkpoint.size}) is older than the one held (size ${latest.size})`);
    if (checkpoint.size === latest.size && !equalBytes(checkpoint.root, latest.root)) return inconsistent(`two different trees of size ${latest.size}: a split view`);
    if (checkpoint.size > latest.size) {
      const c = slice.consistency;
      const proof = c?.proof.map((p) => Buffer.from(p, 'base64'));
      if (!c || c.from_size !== latest.size || !verifyConsistency(latest.size, checkpoint.size, proof!, latest.root, checkpoint.root)) {
        return inconsistent(`no valid consistency proof from the held checkpoint (size ${latest.size}) to this one (size ${checkpoint.size})`);
      }
    }
  }
  // from here on the checkpoint holds: a refusal still hands it over to be kept
  const refused = (reason: SliceReason, detail: string) => refuse(reason, detail, { slice, digest, usesSeq: true, checkpoint });
  const before = held.events(slice.composition_id);
  const head = before.at(-1);
  if (slice.from_sequence !== before.length + 1) {
    return refused('chain_broken', `the slice starts at event ${slice.from_sequence} of ${slice.composition_id}; this node holds ${before.length}`);
  }
  if ((events[0]!.prev_hash ?? null) !== (head?.this_hash ?? null) || (events[0]!.causal_predecessor ?? null) !== (head?.event_id ?? null)) {
    return refused('contradicts_held', `${events[0]!.event_id} links to ${events[0]!.prev_hash} (${events[0]!.causal_predecessor}), but the held head is ${head ? `${head.this_hash} (${head.event_id})` : 'nothing'}`);
  }
  const all = [...before, ...events];
  const lifecycle = replayState(all);
  if (!lifecycle.valid) return refused('lifecycle_invalid', `${lifecycle.invalid.event_id}: ${lifecycle.invalid.message}`);
  if (!tookPart(all, trust.ownIssuers)) return refused('not_entitled', `none of this organisation's issuers (${trust.ownIssuers.join(', ')}) took part in ${slice.composition_id}`);
  return { status: 'accepted', slice, digest, events, checkpoint };
}

/** The verdict on one delivered message. Never throws on bad input: it says why. */
export async function verifySlice(bytes: Uint8Array, trust: SliceTrust, held: HeldView): Promise<SliceVerdict> {
  const parsed = parse(bytes, trust);
  if ('status' in parsed) return parsed;
  const { slice, jws } = parsed;
  const digest = digestOf(slice);
  const events = checkEvents(slice, trust);
  if ('status' in events) return { ...events, slice, digest };
  const unsigned = await checkSignature(slice, jws, trust);
  if (unsigned) return { ...unsigned, slice, digest };
  const schemas = checkSchemas(slice, events, trust);
  if (schemas) return { ...schemas, slice, digest };
  const checkpoint = checkCheckpoint(slice, events, trust);
  if ('status' in checkpoint) return { ...checkpoint, slice, digest };

  const at = held.slice(slice.slice_seq);
  if (at) {
    return at.digest === digest
      ? { status: 'duplicate', slice, digest }
      : refuse('contradicts_held', `slice ${slice.slice_seq} is held with another content (${at.digest})`, { slice, digest });
  }
  const next = held.nextSeq();
  if (slice.slice_seq > next) return { status: 'pending', slice, digest, reason: 'waiting_for_earlier_slice', detail: `slice ${slice.slice_seq} waits for slice ${next}` };
  if (slice.slice_seq < next) return refuse('contradicts_held', `slice ${slice.slice_seq} comes after its place in the sequence was settled`, { slice, digest });
  return checkAgainstHeld(slice, digest, events, checkpoint, trust, held);
}
