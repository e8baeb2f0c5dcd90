/**
 * The read-back of the fast path. A local activity's result reaches Temporal only with its workflow task;
 * a worker that dies after the broker's ack and before that task completes leaves no trace of the publish
 * in the history, and the next worker runs the transition again — with a new workflow clock and a new PDP
 * decision, so a second, different event under the same id would follow the first. Before publishing, the
 * publish step therefore asks Temporal whether the workflow task it runs in is a retry (the history's
 * newest workflow-task outcome is a time-out or a failure rather than a completion). Only then — rarely —
 * does it read the topic back from when the lost attempt started, and if that attempt's event is there,
 * the workflow adopts it (workflows/composition.ts) instead of publishing another.
 *
 * The residue, stated: a lost attempt whose worker is not dead but only slow (a zombie) could still
 * publish after the read-back; its event then arrives second and the ledger quarantines it as a conflict.
 */
import type { temporal } from '@temporalio/proto';
import type { AuditEvent } from '../schemas/catalog.js';
import type { FoundEvent } from '../kafka/find-published.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The workflow's history, newest event first, one page at a time (Temporal's reverse history). */
export type ReverseHistory = (execution: { workflowId: string; runId: string }) => AsyncIterable<HistoryEvent[]>;
export type FindPublished = (query: { compositionId: string; eventId: string; sinceMs: number }) => Promise<FoundEvent[]>;

// Producer and Temporal clocks may differ: the read-back starts this much before the lost attempt.
const CLOCK_SKEW_MS = 60_000;
const MAX_PAGES = 5;

const ms = (t: HistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/**
 * When the latest lost attempt of the current workflow task started (ms since the epoch), or undefined when
 * the newest workflow-task outcome in the history is a completion (the normal case: one page read).
 */
export async function lostAttemptStart(history: AsyncIterable<HistoryEvent[]>): Promise<number | undefined> {
  const startedAt = new Map<string, number>();
  let pages = 0;
  let lost: { startedEventId: string; at: number } | undefined;
  for await (const page of history) {
    for (const e of page) {
      if (e.workflowTaskStartedEventAttributes) startedAt.set(String(e.eventId), ms(e.eventTime));
      if (lost) continue;
      if (e.workflowTaskCompletedEventAttributes || e.workflowExecutionStartedEventAttributes) return undefined;
      const failed = e.workflowTaskTimedOutEventAttributes ?? e.workflowTaskFailedEventAttributes;
      if (failed) lost = { startedEventId: String(failed.startedEventId), at: ms(e.eventTime) };
    }
    if (lost && startedAt.has(lost.startedEventId)) return startedAt.get(lost.startedEventId);
    if (++pages >= MAX_PAGES) break;
  }
  // a lost attempt whose start lies further back than we read: it started before it timed out, at the latest
  return lost?.at;
}

export function createLostAttemptProbe(history: ReverseHistory, find: FindPublished) {
  /** What a lost attempt of this workflow task already published under this event's id, if anything. */
  return async (event: AuditEvent, execution: { workflowId: string; runId: string }): Promise<FoundEvent | undefined> => {
    const since = await lostAttemptStart(history(execution));
    if (since === undefined) return undefined;
    const copies = await find({ compositionId: event.composition_id, eventId: event.event_id, sinceMs: since - CLOCK_SKEW_MS });
    return copies[0]; // the first is what every reader took; later copies are identical or quarantined
  };
}

export type LostAttemptProbe = ReturnType<typeof createLostAttemptProbe>;
