/**
 * The publish journal: this host's memory of what its workers began to publish, one file per composition
 * holding the last event a publish started with. It closes the window the history cannot show.
 *
 * On the fast path the publish runs inside a workflow task, and a workflow task can be lost without a trace:
 * an update's workflow task is speculative — the server keeps it in memory until the worker completes it —
 * so a Temporal server that dies after the broker's ack and before that completion leaves a history whose
 * newest workflow task is a completed one, and the update, sent again, runs the transition once more with a
 * new workflow clock and a new PDP decision. Asking the history (activities/lost-attempt.ts) cannot see it;
 * this journal can, whenever the retry runs on the same host (the worker restarted, or never died).
 *
 * The file is written before the publish starts, so a publish can only have happened for a journaled event
 * (a worker killed while writing leaves a file that does not parse: nothing was published after it). An
 * earlier attempt's event is adopted only when it is the same link — same id, composition and predecessor;
 * publishing it again is harmless (identical bytes and signature: a no-op for every reader) and lands it if
 * the first publish never reached the broker. Files are 0600 (events name callers) and overwritten by the
 * next transition of their composition; `prune` drops those of compositions long quiet.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../schemas/catalog.js';

export interface PublishJournal {
  /** the event a publish already began with in `event`'s place (same link, other content), if any */
  earlier(event: AuditEvent): AuditEvent | undefined;
  /** records that a publish of `event` begins */
  begin(event: AuditEvent): void;
}

// The contract's composition id (schemas/primitives.ts): no dot, no slash, so always a plain file name here.
const SAFE_ID = /^cmp_[A-Za-z0-9_-]{1,120}$/;

/** A journal kept in `dir` (created 0700 if missing). */
export function fileJournal(dir: string): PublishJournal & { prune(olderThanMs: number, now?: number): number } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileOf = (compositionId: string) => (SAFE_ID.test(compositionId) ? join(dir, `${compositionId}.json`) : undefined);
  return {
    earlier(event) {
      const file = fileOf(event.composition_id);
      if (!file) return undefined;
      let held: AuditEvent;
      try {
        held = JSON.parse(readFileSync(file, 'utf8')) as AuditEvent;
      } catch {
        return undefined; // none, or a write cut short by a crash (no publish followed it)
      }
      const sameLink = held.event_id === event.event_id && held.composition_id === event.composition_id && held.prev_hash === event.prev_hash;
      return sameLink && held.this_hash !== event.this_hash ? held : undefined;
    },
    begin(event) {
      const file = fileOf(event.composition_id);
      if (file) writeFileSync(file, JSON.stringify(event), { mode: 0o600 });
    },
    /** Deletes the files not written for `olderThanMs`; returns how many. */
    prune(olderThanMs, now = Date.now()) {
      let removed = 0;
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        try {
          if (now - statSync(file).mtimeMs > olderThanMs) {
            unlinkSync(file);
            removed += 1;
          }
        } catch {
          // another worker on this host pruned it first
        }
      }
      return removed;
    },
  };
}
