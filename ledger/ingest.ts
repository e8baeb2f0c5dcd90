/**
 * Turns a batch of audit-topic messages into one atomic write: canonical rows for events that extend their
 * chain, quarantine rows for the rest, and the positions to resume from. Idempotent: an identical
 * duplicate (already stored, or earlier in the same batch) writes nothing, and a message redelivered
 * after a crash is judged exactly as the first time.
 */
import { canonicalJson } from '../audit/canonical.js';
import { EMITTER_KID_HEADER, EMITTER_SIG_HEADER, SIGNATURE_FAILURE_DETAIL, type EmitterKeyring, type EmitterSignature, type SignatureFailure } from '../audit/emitter-signature.js';
import type { AuditEvent } from '../schemas/catalog.js';
import { sequenceOf } from '../audit/event-id.js';
import { admit, type ChainLookup } from './classify.js';
import type { CanonicalRow, LedgerHead, QuarantineRow, SourcePosition } from './records.js';
import type { IngestBatch, LedgerStore } from './store.js';
import type { MessageDecoder } from './wire.js';

export interface TopicMessage extends SourcePosition {
  value: Buffer | null;
  /** the message's headers as the Kafka client gives them (the emitter's signature travels here) */
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** A header given exactly once, as text; anything else (absent, repeated) is undefined. */
function header(m: TopicMessage, name: string): string | undefined {
  const h = m.headers?.[name];
  return typeof h === 'string' ? h : Buffer.isBuffer(h) ? h.toString('utf8') : undefined;
}

const SIGNATURE_DETAIL: Record<SignatureFailure, string> = {
  ...SIGNATURE_FAILURE_DETAIL,
  signature_missing: `no ${EMITTER_SIG_HEADER} / ${EMITTER_KID_HEADER} header (or one given twice)`,
};

export interface IngestStats {
  accepted: number;
  duplicates: number;
  quarantined: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The canonical row of an admitted event (also what bench/tlog.ts commits). */
export function canonicalRow(event: AuditEvent, sequence: number, source: SourcePosition, signature: EmitterSignature): CanonicalRow {
  return {
    composition_id: event.composition_id,
    sequence,
    event_id: event.event_id,
    schema_id: event.schema_id,
    ts_utc: event.ts_utc,
    ts_ms: Date.parse(event.ts_utc),
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    issuer: event.auth?.issuer ?? null,
    abac_outcome: event.abac_decision?.outcome ?? null,
    prev_hash: event.prev_hash,
    this_hash: event.this_hash,
    body: canonicalJson(event),
    emitter_kid: signature.kid,
    emitter_sig: signature.sig,
    source,
  };
}

function quarantineRow(reason: QuarantineRow['reason'], detail: string, value: unknown, raw: Buffer | null, source: SourcePosition): QuarantineRow {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return {
    reason,
    detail,
    composition_id: str(v.composition_id),
    event_id: str(v.event_id),
    schema_id: str(v.schema_id),
    this_hash: str(v.this_hash),
    body: value === null ? (raw?.toString('base64') ?? '') : JSON.stringify(value),
    source,
  };
}

/** A batch's view of the chains: the store's heads, plus what this batch has accepted so far. */
class BatchChains {
  private readonly heads = new Map<string, LedgerHead | undefined>();
  private readonly pending = new Map<string, Map<number, string>>();

  constructor(private readonly store: LedgerStore) {}

  /** What admit() needs for an event claiming `sequence` of `compositionId` (admit is pure: fetch first). */
  async lookup(compositionId: string | null, sequence: number | undefined): Promise<ChainLookup> {
    if (!compositionId) return { head: undefined, hashAt: () => undefined };
    if (!this.heads.has(compositionId)) this.heads.set(compositionId, (await this.store.heads([compositionId])).get(compositionId));
    const head = this.heads.get(compositionId);
    let hash: string | undefined;
    if (sequence !== undefined && head && sequence <= head.sequence) {
      hash = this.pending.get(compositionId)?.get(sequence) ?? (await this.store.hashAt(compositionId, sequence));
    }
    return { head, hashAt: (seq) => (seq === sequence ? hash : undefined) };
  }

  advance(event: AuditEvent, sequence: number): void {
    this.heads.set(event.composition_id, { composition_id: event.composition_id, sequence, event_id: event.event_id, this_hash: event.this_hash, ts_utc: event.ts_utc });
    const pending = this.pending.get(event.composition_id) ?? new Map<number, string>();
    pending.set(sequence, event.this_hash);
    this.pending.set(event.composition_id, pending);
  }
}

export class Ingestor {
  constructor(
    private readonly store: LedgerStore,
    private readonly decoder: MessageDecoder,
    /** the pinned emitter keys: an event no pinned key signed is quarantined, whatever else holds */
    private readonly emitters: EmitterKeyring,
    /** the ingest time written on each row of a batch */
    private readonly now: () => number = Date.now,
  ) {}

  /** Judges every message, then writes the whole batch in one transaction. */
  async ingest(messages: readonly TopicMessage[], hooks: { beforeCommit?: (batch: IngestBatch) => void } = {}): Promise<IngestStats> {
    const batch: IngestBatch = { accepted: [], quarantined: [], positions: [] };
    const stats: IngestStats = { accepted: 0, duplicates: 0, quarantined: 0 };
    const chains = new BatchChains(this.store);
    const next = new Map<string, { topic: string; partition: number; next: bigint }>();

    for (const m of messages) {
      const source: SourcePosition = { topic: m.topic, partition: m.partition, offset: m.offset };
      const key = `${m.topic}\u0000${m.partition}`;
      const after = BigInt(m.offset) + 1n;
      if ((next.get(key)?.next ?? -1n) < after) next.set(key, { topic: m.topic, partition: m.partition, next: after });

      const decoded = await this.decoder.decode(m.value);
      if (!decoded.ok) {
        batch.quarantined.push(quarantineRow(decoded.reason, decoded.detail, decoded.value, m.value, source));
        stats.quarantined += 1;
        continue;
      }
      const claimed = decoded.value as { composition_id?: unknown; event_id?: unknown; this_hash?: unknown } | null;
      // Before the chain is consulted: an event no pinned emitter signed is neither a link nor a duplicate.
      const signature = { kid: header(m, EMITTER_KID_HEADER), sig: header(m, EMITTER_SIG_HEADER) };
      const unsigned = this.emitters.check(str(claimed?.this_hash) ?? '', signature);
      if (unsigned) {
        batch.quarantined.push(quarantineRow(unsigned, SIGNATURE_DETAIL[unsigned], decoded.value, m.value, source));
        stats.quarantined += 1;
        continue;
      }
      const cmp = str(claimed?.composition_id);
      const eventId = str(claimed?.event_id);
      const verdict = admit(decoded.value, await chains.lookup(cmp, cmp && eventId ? sequenceOf(eventId, cmp) : undefined));
      if (verdict.kind === 'accept') {
        batch.accepted.push(canonicalRow(verdict.event, verdict.sequence, source, signature as EmitterSignature));
        chains.advance(verdict.event, verdict.sequence);
        stats.accepted += 1;
      } else if (verdict.kind === 'duplicate') {
        stats.duplicates += 1;
      } else {
        batch.quarantined.push(quarantineRow(verdict.reason, verdict.detail, decoded.value, m.value, source));
        stats.quarantined += 1;
      }
    }
    batch.positions = [...next.values()].map((p) => ({ topic: p.topic, partition: p.partition, next_offset: p.next.toString() }));
    batch.ingested_ms = this.now();
    hooks.beforeCommit?.(batch);
    await this.store.commit(batch);
    return stats;
  }
}
