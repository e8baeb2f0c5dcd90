/**
 * The receiving node's own store: one SQLite file, `<DATA_DIR>/federation/<org>/store.sqlite` (folder 0700,
 * file 0600), written by the receiver alone and read by `coord federation status | verify`. Evidence is
 * append-only (UPDATE and DELETE refused by trigger): the slices in sequence (accepted or refused, with the
 * signed message as received), the events they brought, the checkpoints, the quarantine of what proved
 * nothing, the receipts and when each was published. Only `pending` — slices waiting for an earlier one —
 * is a waiting room whose rows leave when their slice is settled.
 *
 * Importing one verdict is one transaction: its slice row, events, checkpoint (or pending or quarantine row)
 * and its receipt, all or nothing. The receipt is published after the commit and marked published after the
 * broker's confirm, so a crash anywhere leaves either nothing (the redelivered message is verified again) or
 * the import with its receipt to publish (the redelivery is a duplicate; the receipt goes out on restart).
 * It is also the `HeldView` that verification reads (audit/slice/verify.ts).
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { HeldView, ProvenCheckpointNote, SliceVerdict } from '../../audit/slice/verify.js';
import type { ReceiptStatus, SliceReason } from '../../audit/slice/format.js';
import { DATA_DIR } from '../../config/paths.js';
import { ensurePrivateDir } from '../../lib/private-files.js';
import type { AuditEvent } from '../../schemas/catalog.js';

/** An unverified message is kept in quarantine up to this many bytes (a signed slice's whole: it is evidence). */
export const QUARANTINE_KEEP_BYTES = 64 * 1024;

/**
 * Quarantined refusals reached only once the slice signature held (audit/slice/verify.ts checks in order):
 * what the sender signed is evidence — two different slices it signed for one place, say — kept whole.
 */
const SIGNED_REFUSALS: ReadonlySet<SliceReason> = new Set(['schema_unpinned', 'checkpoint_invalid', 'checkpoint_not_witnessed', 'inclusion_proof_invalid', 'contradicts_held']);

export const federationDir = (org: string) => join(DATA_DIR, 'federation', org);
export const storeFile = (org: string) => join(federationDir(org), 'store.sqlite');

const APPEND_ONLY = ['slices', 'events', 'checkpoints', 'quarantine', 'receipts', 'receipts_published'];

const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS slices (
     seq INTEGER PRIMARY KEY,
     digest TEXT NOT NULL,
     composition_id TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('accepted', 'refused')),
     reason TEXT,
     detail TEXT,
     message BLOB NOT NULL,
     received_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS events (
     composition_id TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     event_id TEXT NOT NULL UNIQUE,
     this_hash TEXT NOT NULL,
     line TEXT NOT NULL,
     emitter_kid TEXT NOT NULL,
     emitter_sig TEXT NOT NULL,
     slice_seq INTEGER NOT NULL REFERENCES slices (seq),
     PRIMARY KEY (composition_id, sequence))`,
  `CREATE TABLE IF NOT EXISTS checkpoints (
     size INTEGER PRIMARY KEY,
     root TEXT NOT NULL,
     note TEXT NOT NULL,
     slice_seq INTEGER NOT NULL REFERENCES slices (seq))`,
  `CREATE TABLE IF NOT EXISTS pending (
     seq INTEGER NOT NULL,
     digest TEXT NOT NULL,
     message BLOB NOT NULL,
     received_at TEXT NOT NULL,
     PRIMARY KEY (seq, digest))`,
  `CREATE TABLE IF NOT EXISTS quarantine (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     slice_seq INTEGER,
     digest TEXT,
     reason TEXT NOT NULL,
     detail TEXT NOT NULL,
     message BLOB NOT NULL,
     message_bytes INTEGER NOT NULL,
     received_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS receipts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     slice_seq INTEGER,
     slice_digest TEXT,
     status TEXT NOT NULL,
     reason TEXT,
     message BLOB NOT NULL,
     created_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS receipts_published (
     receipt_id INTEGER PRIMARY KEY REFERENCES receipts (id),
     published_at TEXT NOT NULL)`,
  ...APPEND_ONLY.flatMap((t) =>
    ['UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER IF NOT EXISTS ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(ABORT, '${t} is append-only'); END`),
  ),
];

/** The receipt that goes with an import: its signed message and what the store indexes of it. */
export interface StoredReceipt {
  status: ReceiptStatus;
  reason: SliceReason | null;
  slice_seq: number | null;
  slice_digest: string | null;
  message: Buffer;
}

export interface ImportEntry {
  verdict: SliceVerdict;
  /** the message as delivered */
  message: Uint8Array;
  received_at: string;
  receipt: StoredReceipt;
  /** the pending row this message came from: it leaves the waiting room whatever the verdict, unless pending again */
  fromPending?: { seq: number; digest: string };
}

export interface SliceRow {
  seq: number;
  digest: string;
  composition_id: string;
  status: 'accepted' | 'refused';
  reason: SliceReason | null;
  detail: string | null;
  message: Buffer;
  received_at: string;
}

export interface EventRow {
  composition_id: string;
  sequence: number;
  event_id: string;
  this_hash: string;
  line: string;
  emitter_kid: string;
  emitter_sig: string;
  slice_seq: number;
}

export interface CheckpointRow {
  size: number;
  root: string;
  note: string;
  slice_seq: number;
}

export interface PendingRow {
  seq: number;
  digest: string;
  message: Buffer;
  received_at: string;
}

export interface ReceiptRow {
  id: number;
  slice_seq: number | null;
  slice_digest: string | null;
  status: ReceiptStatus;
  reason: SliceReason | null;
  message: Buffer;
  created_at: string;
  published_at: string | null;
}

export interface Head {
  composition_id: string;
  sequence: number;
  this_hash: string;
}

/** The place an import meant to take was taken meanwhile (another receiver on the same store): verify again. */
export class ImportConflict extends Error {
  override name = 'ImportConflict';
  readonly code = 'ERR_IMPORT_CONFLICT';
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class FederationStore implements HeldView {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  /**
   * Opens (creating it 0600 in a 0700 folder unless `readonly`) the store at `file`. `owner` — the sender
   * and partner of the trust file — is recorded on first use and checked afterwards: one store, one pair.
   */
  static open(file: string, opts: { readonly?: boolean; owner?: { sender: string; partner: string } } = {}): FederationStore {
    const readonly = opts.readonly ?? false;
    if (readonly && !existsSync(file)) throw new Error(`no federation store at ${file}`);
    if (!readonly) {
      ensurePrivateDir(dirname(file));
      closeSync(openSync(file, 'a', 0o600)); // SQLite gives its -wal and -shm files the database file's mode
      chmodSync(file, 0o600);
    }
    const db = new Database(file, { readonly, fileMustExist: readonly });
    db.pragma('busy_timeout = 10000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL'); // a committed import survives power loss: the delivery is acked after it
      db.pragma('foreign_keys = ON');
      db.transaction(() => DDL.forEach((sql) => db.exec(sql)))();
    }
    const store = new FederationStore(db, file);
    if (opts.owner) store.claim(opts.owner, readonly);
    return store;
  }

  private claim(owner: { sender: string; partner: string }, readonly: boolean): void {
    const get = (key: string) => (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
    const [sender, partner] = [get('sender'), get('partner')];
    if (sender === undefined && partner === undefined) {
      if (readonly) return;
      const put = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      this.db.transaction(() => {
        put.run('sender', owner.sender);
        put.run('partner', owner.partner);
      })();
      return;
    }
    if (sender !== owner.sender || partner !== owner.partner) {
      throw new Error(`${this.file} holds slices from ${sender} for ${partner}; the trust file is for slices from ${owner.sender} for ${owner.partner}`);
    }
  }

  close(): void {
    this.db.close();
  }

  // --- HeldView -------------------------------------------------------------------------------------------

  slice(seq: number): { digest: string; status: 'accepted' | 'refused' } | undefined {
    return this.db.prepare('SELECT digest, status FROM slices WHERE seq = ?').get(seq) as { digest: string; status: 'accepted' | 'refused' } | undefined;
  }

  nextSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM slices').get() as { next: number }).next;
  }

  events(compositionId: string): AuditEvent[] {
    const rows = this.db.prepare('SELECT line FROM events WHERE composition_id = ? ORDER BY sequence').all(compositionId) as { line: string }[];
    return rows.map((r) => JSON.parse(r.line) as AuditEvent);
  }

  latestCheckpoint(): ProvenCheckpointNote | undefined {
    const row = this.db.prepare('SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1').get() as CheckpointRow | undefined;
    return row ? { size: row.size, root: new Uint8Array(Buffer.from(row.root, 'hex')), note: row.note } : undefined;
  }

  // --- reads ----------------------------------------------------------------------------------------------

  /** The slice settled at `seq`, without its message. */
  settled(seq: number): Omit<SliceRow, 'message'> | undefined {
    return this.db.prepare('SELECT seq, digest, composition_id, status, reason, detail, received_at FROM slices WHERE seq = ?').get(seq) as Omit<SliceRow, 'message'> | undefined;
  }

  head(compositionId: string): Head | undefined {
    return this.db.prepare('SELECT composition_id, sequence, this_hash FROM events WHERE composition_id = ? ORDER BY sequence DESC LIMIT 1').get(compositionId) as Head | undefined;
  }

  heads(): Head[] {
    return this.db
      .prepare(
        `SELECT e.composition_id, e.sequence, e.this_hash FROM events e
         JOIN (SELECT composition_id, MAX(sequence) AS sequence FROM events GROUP BY composition_id) h USING (composition_id, sequence)
         ORDER BY e.composition_id`,
      )
      .all() as Head[];
  }

  slices(): IterableIterator<SliceRow> {
    return this.db.prepare('SELECT * FROM slices ORDER BY seq').iterate() as IterableIterator<SliceRow>;
  }

  allEvents(): EventRow[] {
    return this.db.prepare('SELECT * FROM events ORDER BY composition_id, sequence').all() as EventRow[];
  }

  checkpoints(): CheckpointRow[] {
    return this.db.prepare('SELECT * FROM checkpoints ORDER BY size').all() as CheckpointRow[];
  }

  pendingAt(seq: number): PendingRow[] {
    return this.db.prepare('SELECT * FROM pending WHERE seq = ? ORDER BY received_at, digest').all(seq) as PendingRow[];
  }

  pending(): PendingRow[] {
    return this.db.prepare('SELECT * FROM pending ORDER BY seq, received_at').all() as PendingRow[];
  }

  receipts(opts: { unpublished?: boolean; last?: number } = {}): ReceiptRow[] {
    const where = opts.unpublished ? 'WHERE p.receipt_id IS NULL' : '';
    const order = opts.last ? `ORDER BY r.id DESC LIMIT ${Math.floor(opts.last)}` : 'ORDER BY r.id';
    return this.db.prepare(`SELECT r.*, p.published_at FROM receipts r LEFT JOIN receipts_published p ON p.receipt_id = r.id ${where} ${order}`).all() as ReceiptRow[];
  }

  quarantine(): { id: number; slice_seq: number | null; digest: string | null; reason: SliceReason; detail: string; message_bytes: number; received_at: string }[] {
    return this.db.prepare('SELECT id, slice_seq, digest, reason, detail, message_bytes, received_at FROM quarantine ORDER BY id').all() as ReturnType<FederationStore['quarantine']>;
  }

  /** Counts for `coord federation status`. */
  counts() {
    const byReason = (sql: string) => Object.fromEntries((this.db.prepare(sql).all() as { reason: string; n: number }[]).map((r) => [r.reason, r.n]));
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      accepted: one(`SELECT COUNT(*) AS n FROM slices WHERE status = 'accepted'`),
      refused: byReason(`SELECT reason, COUNT(*) AS n FROM slices WHERE status = 'refused' GROUP BY reason ORDER BY reason`),
      quarantined: byReason('SELECT reason, COUNT(*) AS n FROM quarantine GROUP BY reason ORDER BY reason'),
      duplicates: one(`SELECT COUNT(*) AS n FROM receipts WHERE status = 'duplicate'`),
      pending: one('SELECT COUNT(*) AS n FROM pending'),
      events: one('SELECT COUNT(*) AS n FROM events'),
      receipts: one('SELECT COUNT(*) AS n FROM receipts'),
      unpublished_receipts: one('SELECT COUNT(*) AS n FROM receipts r WHERE NOT EXISTS (SELECT 1 FROM receipts_published p WHERE p.receipt_id = r.id)'),
    };
  }

  // --- writes ---------------------------------------------------------------------------------------------

  /** Imports one verdict and its receipt, in one transaction; returns the receipt's id. Throws ImportConflict. */
  commit(entry: ImportEntry): number {
    const { verdict, received_at } = entry;
    const message = Buffer.from(entry.message);
    return this.db
      .transaction(() => {
        const settles = verdict.status === 'accepted' || (verdict.status === 'refused' && verdict.usesSeq && verdict.slice && verdict.digest);
        if (settles) {
          const slice = verdict.slice!;
          const next = this.nextSeq();
          if (slice.slice_seq !== next) throw new ImportConflict(`slice ${slice.slice_seq} was verified for place ${slice.slice_seq}, but the next place is now ${next}`);
          const refused = verdict.status === 'refused' ? verdict : undefined;
          this.db
            .prepare('INSERT INTO slices (seq, digest, composition_id, status, reason, detail, message, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
            .run(slice.slice_seq, verdict.digest!, slice.composition_id, verdict.status, refused?.reason ?? null, refused?.detail ?? null, message, received_at);
          if (verdict.status === 'accepted') {
            const insert = this.db.prepare('INSERT INTO events (composition_id, sequence, event_id, this_hash, line, emitter_kid, emitter_sig, slice_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
            verdict.events.forEach((event, i) => {
              const signature = slice.signatures[i]!;
              insert.run(slice.composition_id, slice.from_sequence + i, event.event_id, event.this_hash, slice.events[i]!, signature.kid, signature.sig, slice.slice_seq);
            });
          }
          const checkpoint = verdict.status === 'accepted' ? verdict.checkpoint : refused?.checkpoint;
          if (checkpoint) this.db.prepare('INSERT OR IGNORE INTO checkpoints (size, root, note, slice_seq) VALUES (?, ?, ?, ?)').run(checkpoint.size, hex(checkpoint.root), checkpoint.note, slice.slice_seq);
        } else if (verdict.status === 'pending') {
          this.db.prepare('INSERT OR IGNORE INTO pending (seq, digest, message, received_at) VALUES (?, ?, ?, ?)').run(verdict.slice.slice_seq, verdict.digest, message, received_at);
        } else if (verdict.status === 'refused') {
          const whole = SIGNED_REFUSALS.has(verdict.reason) && verdict.slice !== undefined;
          this.db
            .prepare('INSERT INTO quarantine (slice_seq, digest, reason, detail, message, message_bytes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
            .run(verdict.slice?.slice_seq ?? null, verdict.digest ?? null, verdict.reason, verdict.detail, whole ? message : message.subarray(0, QUARANTINE_KEEP_BYTES), message.length, received_at);
        }
        // a pending slice leaves the waiting room once settled, found a duplicate or refused
        if (verdict.status !== 'pending') {
          const leaving = entry.fromPending ?? (verdict.slice && verdict.digest ? { seq: verdict.slice.slice_seq, digest: verdict.digest } : undefined);
          if (leaving) this.db.prepare('DELETE FROM pending WHERE seq = ? AND digest = ?').run(leaving.seq, leaving.digest);
        }
        const r = entry.receipt;
        return Number(
          this.db
            .prepare('INSERT INTO receipts (slice_seq, slice_digest, status, reason, message, created_at) VALUES (?, ?, ?, ?, ?, ?)')
            .run(r.slice_seq, r.slice_digest, r.status, r.reason, r.message, received_at).lastInsertRowid,
        );
      })
      .immediate();
  }

  /** Records that the broker confirmed a receipt. */
  markPublished(receiptId: number, at: string): void {
    this.db.prepare('INSERT OR IGNORE INTO receipts_published (receipt_id, published_at) VALUES (?, ?)').run(receiptId, at);
  }
}
