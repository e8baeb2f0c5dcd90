/**
 * The witness: another organisation's process that watches the ledger's transparency log and cosigns each
 * checkpoint it can prove extends the last one it cosigned (C2SP tlog-witness semantics, pulled rather than
 * pushed: the witness fetches the checkpoint and the proof itself). One `step()`:
 *
 *   fetch the checkpoint → open it with the pinned log key → parse → check the pinned origin →
 *   compare with the last cosigned checkpoint (rollback? fork? consistency proof from it?) →
 *   cosign (time = now), persist, then deliver the cosignature.
 *
 * Anything that fails a check is a signed refusal, delivered to the ledger and recorded — the state does not
 * advance. Network trouble is not a refusal: the step reports it and the next one tries again. The new
 * checkpoint is persisted *before* its cosignature leaves (as tlog-witness requires of add-checkpoint): a
 * crash between the two must not let the witness later cosign a tree smaller than one it vouched for; an
 * undelivered cosignature is re-sent from the state on the next step.
 */
import { parseCheckpoint, type Checkpoint } from '../audit/tlog/checkpoint.js';
import { cosign, cosignatureVerifier } from '../audit/tlog/cosignature.js';
import { fromBase64, toBase64, utf8 } from '../audit/tlog/encoding.js';
import { TlogError } from '../audit/tlog/errors.js';
import { EMPTY_ROOT, equalBytes, verifyConsistency } from '../audit/tlog/merkle.js';
import { noteVerifier, type NoteVerifier } from '../audit/tlog/note-keys.js';
import { openNote, type OpenedNote } from '../audit/tlog/note.js';
import { MAX_DETAIL_LENGTH, MAX_ORIGIN_LENGTH, signRefusal, type RefusalReason, type SignedRefusal } from '../audit/tlog/witness-refusal.js';
import { WitnessError } from './errors.js';
import type { WitnessKey } from './keys.js';
import { LedgerClient } from './ledger-client.js';
import { loadState, logEntry, originOfLogKey, recordRefusal, saveState, type LogState, type WitnessState } from './state.js';

export type StepOutcome =
  /** a new cosignature (or one not yet delivered, `resent`) went to the ledger */
  | { outcome: 'cosigned'; origin: string; size: number; root: string; time: number; resent: boolean; witnessed: boolean | null }
  /** the ledger serves the checkpoint this witness last cosigned, with its cosignature on it */
  | { outcome: 'unchanged'; origin: string; size: number; root: string }
  /** the ledger has no checkpoint yet */
  | { outcome: 'no_checkpoint' }
  | { outcome: 'refused'; reason: RefusalReason; origin: string; old_size: number; new_size: number; detail: string; delivered: boolean; repeated: boolean }
  /** the ledger did not answer (or not as the API defines); tried again next step */
  | { outcome: 'unreachable'; detail: string }
  /** the ledger answered the cosignature with an error (403: it does not pin this witness's key; 404; 400) */
  | { outcome: 'rejected'; status: number; detail: string; origin: string; size: number };

export type OutcomeKind = StepOutcome['outcome'];

/** `coord witness --once` exit codes. */
export const EXIT_CODES: Record<OutcomeKind, 0 | 1 | 2> = { cosigned: 0, unchanged: 0, no_checkpoint: 0, refused: 1, unreachable: 2, rejected: 2 };

/** The subset of pino's logger the witness uses. */
export interface WitnessLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WitnessOptions {
  /** the ledger's base URL (the log API lives under /log/) */
  ledger: string;
  /** the log's Ed25519 vkey (type 0x01), pinned */
  logKey: string;
  /** the pinned origin; default: the one recorded for this log key, else the first checkpoint's */
  origin?: string | undefined;
  key: WitnessKey;
  stateFile: string;
  /** milliseconds since the epoch (tests freeze it) */
  now?: () => number;
  logger?: WitnessLogger;
  timeoutMs?: number;
}

/** Undelivered refusals retried per step. */
const REDELIVER_PER_STEP = 5;

const clip = (text: string, max = MAX_DETAIL_LENGTH) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const quiet: WitnessLogger = { info: () => undefined, warn: () => undefined };

/** Origin and size a note claims, read without trusting it (for a refusal's fields only). */
function peek(bytes: Uint8Array): { origin?: string; size?: number } {
  try {
    const text = new TextDecoder().decode(bytes.subarray(0, 4096));
    const [origin, size] = text.split('\n');
    return { origin, ...(size && /^(0|[1-9][0-9]{0,15})$/.test(size) ? { size: Number(size) } : {}) };
  } catch {
    return {};
  }
}

interface Refusal {
  reason: RefusalReason;
  detail: string;
  newSize: number;
}

export class Witness {
  private readonly client: LedgerClient;
  private readonly logVerifier: NoteVerifier;
  private readonly ownVerifier: NoteVerifier;
  private readonly now: () => number;
  private readonly log: WitnessLogger;
  private state: WitnessState | undefined;
  private running = false;

  constructor(private readonly opts: WitnessOptions) {
    this.client = new LedgerClient(opts.ledger, opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
    this.logVerifier = noteVerifier(opts.logKey);
    this.ownVerifier = cosignatureVerifier(opts.key.verifierKey);
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? quiet;
    if (opts.origin !== undefined && (opts.origin.length === 0 || opts.origin.includes('\n'))) throw new TypeError('the pinned origin must be one non-empty line');
  }

  /** The pinned origin: given, or recorded for this log key, or (undefined) the first checkpoint's. */
  get pinnedOrigin(): string | undefined {
    return this.opts.origin ?? originOfLogKey(this.loaded(), this.opts.logKey);
  }

  private loaded(): WitnessState {
    this.state ??= loadState(this.opts.stateFile);
    return this.state;
  }

  private save(): void {
    saveState(this.opts.stateFile, this.loaded());
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  async step(): Promise<StepOutcome> {
    if (this.running) throw new TypeError('step() is already running');
    this.running = true;
    try {
      await this.redeliverRefusals();
      return await this.check();
    } finally {
      this.running = false;
    }
  }

  private async check(): Promise<StepOutcome> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.client.checkpoint();
    } catch (err) {
      if (err instanceof WitnessError && !err.retriable) return this.refuse({ reason: 'malformed', detail: err.message, newSize: 0 }, {});
      return this.unreachable(err);
    }
    if (bytes === null) {
      const last = this.pinnedOrigin !== undefined ? this.loaded().logs[this.pinnedOrigin]?.cosigned : undefined;
      if (last) this.log.warn({ origin: this.pinnedOrigin, cosigned_size: last.size }, 'the ledger says it has no checkpoint, yet this witness cosigned one');
      return { outcome: 'no_checkpoint' };
    }
    const claimed = peek(bytes);

    let opened: OpenedNote;
    let cp: Checkpoint;
    try {
      opened = openNote(bytes, [this.logVerifier]);
      cp = parseCheckpoint(opened.text);
    } catch (err) {
      if (!(err instanceof TlogError)) throw err;
      const reason: RefusalReason = err.code === 'ERR_NOTE_SIGNATURE' || err.code === 'ERR_NOTE_UNVERIFIED' ? 'bad_signature' : 'malformed';
      return this.refuse({ reason, detail: err.message, newSize: claimed.size ?? 0 }, claimed);
    }

    const pinned = this.pinnedOrigin;
    if (pinned !== undefined && cp.origin !== pinned) {
      const detail = `the checkpoint names origin ${JSON.stringify(clip(cp.origin, 200))}, the pinned origin is ${JSON.stringify(pinned)}`;
      return this.refuse({ reason: 'wrong_origin', detail, newSize: cp.size }, claimed);
    }
    const entry = logEntry(this.loaded(), cp.origin, this.opts.logKey);
    entry.log_key = this.opts.logKey;
    const root = toBase64(cp.root);
    const last = entry.cosigned;
    const lastRoot = last ? fromBase64(last.root)! : null;

    if (cp.size === 0 && !equalBytes(cp.root, EMPTY_ROOT)) {
      return this.refuse({ reason: 'inconsistent', detail: 'a tree of size 0 must have the empty tree\'s root, SHA-256("")', newSize: 0 }, claimed);
    }
    if (last && lastRoot) {
      if (cp.size < last.size) {
        return this.refuse({ reason: 'rollback', detail: `the checkpoint's tree has ${cp.size} leaves, the witness cosigned ${last.size} (root ${last.root})`, newSize: cp.size }, claimed);
      }
      if (cp.size === last.size) {
        if (!equalBytes(cp.root, lastRoot)) {
          return this.refuse({ reason: 'inconsistent', detail: `a fork: size ${cp.size} has root ${root}, the witness cosigned root ${last.root}`, newSize: cp.size }, claimed);
        }
        if (this.carriesOwnCosignature(opened)) return { outcome: 'unchanged', origin: cp.origin, size: cp.size, root };
        if (opened.text === last.body) return this.deliver(entry, true);
        // the same tree under another body (other extension lines): consistent, so cosigned afresh below
      } else if (last.size > 0) {
        let proof: Uint8Array[];
        try {
          proof = await this.client.consistency(last.size, cp.size);
        } catch (err) {
          if (err instanceof WitnessError && !err.retriable) return this.refuse({ reason: 'malformed', detail: err.message, newSize: cp.size }, claimed);
          return this.unreachable(err);
        }
        if (!verifyConsistency(last.size, cp.size, proof, lastRoot, cp.root)) {
          const detail = `the consistency proof from size ${last.size} (root ${last.root}) to size ${cp.size} (root ${root}) does not verify`;
          return this.refuse({ reason: 'inconsistent', detail, newSize: cp.size }, claimed);
        }
      }
    }

    const time = this.seconds();
    entry.cosigned = { size: cp.size, root, body: opened.text, time, cosignature: cosign(opened.text, this.opts.key.cosigner, time) };
    this.save(); // before the cosignature leaves
    this.log.info({ origin: cp.origin, size: cp.size, root, time }, 'cosigned checkpoint');
    return this.deliver(entry, false);
  }

  /** Whether the note carries a valid cosignature of this witness (it is among the unverified lines). */
  private carriesOwnCosignature(opened: OpenedNote): boolean {
    const text = utf8(opened.text);
    return opened.unverified.some((s) => s.name === this.ownVerifier.name && s.keyId === this.ownVerifier.keyId && this.ownVerifier.verify(text, s.signature));
  }

  /** POSTs the recorded cosignature of `entry` (state already saved). */
  private async deliver(entry: LogState, resent: boolean): Promise<StepOutcome> {
    const c = entry.cosigned!;
    const origin = parseCheckpoint(c.body).origin;
    let res: { status: number; answer: unknown };
    try {
      res = await this.client.postCosignature(`${c.body}\n${c.cosignature}`);
    } catch (err) {
      return this.unreachable(err, `cosigned size ${c.size} but could not deliver it; it is re-sent on the next step`);
    }
    if (res.status === 200) {
      const witnessed = (res.answer as { witnessed?: unknown } | null)?.witnessed;
      return { outcome: 'cosigned', origin, size: c.size, root: c.root, time: c.time, resent, witnessed: typeof witnessed === 'boolean' ? witnessed : null };
    }
    const error = (res.answer as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const why = res.status === 403 ? "the ledger does not pin this witness's key" : res.status === 404 ? 'the ledger has no such checkpoint' : `HTTP ${res.status}`;
    const detail = clip(`${why}${error ? ` (${String(error.code)}: ${String(error.message)})` : ''}`);
    if (res.status >= 500) return this.unreachable(new WitnessError('ERR_LEDGER_UNREACHABLE', detail));
    this.log.warn({ origin, size: c.size, status: res.status }, `the ledger rejected the cosignature: ${detail}`);
    return { outcome: 'rejected', status: res.status, detail, origin, size: c.size };
  }

  private unreachable(err: unknown, context?: string): StepOutcome {
    if (!(err instanceof WitnessError)) throw err;
    const detail = clip(context ? `${context}: ${err.message}` : err.message);
    this.log.warn({ code: err.code }, detail);
    return { outcome: 'unreachable', detail };
  }

  /** Signs, records (state not advanced), delivers and logs a refusal. */
  private async refuse(refusal: Refusal, claimed: { origin?: string }): Promise<StepOutcome> {
    const pinned = this.pinnedOrigin;
    const printable = (t: string) => [...t].every((c) => c >= ' ');
    const claimedOrigin = claimed.origin && claimed.origin.length <= MAX_ORIGIN_LENGTH && printable(claimed.origin) ? claimed.origin : '';
    const origin = pinned ?? claimedOrigin;
    const entry = logEntry(this.loaded(), pinned ?? '', this.opts.logKey);
    const signed = signRefusal(
      {
        witness: this.opts.key.name,
        origin,
        old_size: entry.cosigned?.size ?? 0,
        new_size: refusal.newSize,
        reason: refusal.reason,
        detail: clip(refusal.detail),
        time: this.seconds(),
      },
      this.opts.key.refusalSigner,
    );
    const { record, repeated } = recordRefusal(entry, signed);
    this.save();
    if (!record.delivered) {
      record.delivered = await this.post(record.refusal);
      if (record.delivered) this.save();
    }
    const { witness: _w, signature: _s, time: _t, ...fields } = record.refusal;
    if (!repeated) this.log.warn({ ...fields, delivered: record.delivered }, `refused to cosign: ${fields.reason}`);
    return { outcome: 'refused', ...fields, delivered: record.delivered, repeated };
  }

  /** Delivers one refusal; false when the ledger did not record it (it is retried on later steps). */
  private async post(refusal: SignedRefusal): Promise<boolean> {
    try {
      const res = await this.client.postRefusal(refusal);
      if (res.status === 200) return true;
      this.log.warn({ status: res.status, reason: refusal.reason }, 'the ledger did not record the refusal');
    } catch (err) {
      if (!(err instanceof WitnessError)) throw err;
      this.log.warn({ code: err.code, reason: refusal.reason }, `could not deliver the refusal: ${err.message}`);
    }
    return false;
  }

  private async redeliverRefusals(): Promise<void> {
    const state = this.loaded();
    const pending = Object.values(state.logs)
      .flatMap((log) => log.refusals)
      .filter((r) => !r.delivered)
      .slice(0, REDELIVER_PER_STEP);
    let changed = false;
    for (const record of pending) {
      if (!(await this.post(record.refusal))) break; // the ledger is not taking them now: next step
      record.delivered = true;
      changed = true;
    }
    if (changed) this.save();
  }
}
