/**
 * The current view of a record (issue 16 item 5): each event as the latest correction of it says it should
 * read. Nothing recorded changes — the historical view is the events as they are, and the chain is always
 * verified on those; this is a derived reading of them. One function for the ledger's queries, the CLI, the
 * exports' readers and the page: no Node built-ins, so it runs in a browser as well.
 *
 * A correction applies to the event it names when that event is of the same composition, has the hash the
 * correction names, and is neither a correction nor a refusal record (the workflow refuses such corrections
 * before they are recorded; a reader of someone else's bundle checks again). The latest correction of an
 * event wins; the corrections themselves stay in the list.
 */
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import { sequenceOf } from './event-id.js';

/** The fields the view reads; any audit event has them. */
export interface ViewableEvent {
  event_id: string;
  schema_id: string;
  composition_id: string;
  this_hash: string;
  payload: unknown;
}

/** An event of the current view: corrected events carry the correction that replaced their values. */
export type CurrentEvent<E extends ViewableEvent> = E & {
  /** the event_id of the correction whose values the payload now shows */
  superseded_by?: string;
  correction_reason?: string;
};

export const VIEWS = ['historical', 'current'] as const;
export type View = (typeof VIEWS)[number];

interface CorrectionPayload {
  supersedes: string;
  supersedes_hash: string;
  reason: string;
  corrected: Record<string, unknown>;
}

function correctionPayload(event: ViewableEvent): CorrectionPayload | undefined {
  if (event.schema_id !== SCHEMA_IDS.correction) return undefined;
  const p = event.payload as Partial<CorrectionPayload> | null;
  const ok = p && typeof p.supersedes === 'string' && typeof p.supersedes_hash === 'string' && typeof p.reason === 'string';
  return ok && p.corrected && typeof p.corrected === 'object' && !Array.isArray(p.corrected) ? (p as CorrectionPayload) : undefined;
}

const key = (compositionId: string, eventId: string) => `${compositionId}\u0000${eventId}`;

/**
 * `events` with the latest applicable correction of each applied. `corrections` is where to look for them —
 * by default `events` itself; a page of a query passes its compositions' corrections, which may lie on other
 * pages or outside its filter.
 */
export function currentView<E extends ViewableEvent>(events: readonly E[], corrections: readonly ViewableEvent[] = events): CurrentEvent<E>[] {
  // the latest correction per (composition, superseded event): the highest sequence wins, whatever the order given
  const latest = new Map<string, { sequence: number; event: ViewableEvent; payload: CorrectionPayload }>();
  for (const c of corrections) {
    const payload = correctionPayload(c);
    if (!payload || sequenceOf(payload.supersedes, c.composition_id) === undefined) continue;
    const sequence = sequenceOf(c.event_id, c.composition_id) ?? 0;
    const k = key(c.composition_id, payload.supersedes);
    const seen = latest.get(k);
    if (!seen || seen.sequence < sequence) latest.set(k, { sequence, event: c, payload });
  }
  return events.map((event) => {
    const found = latest.get(key(event.composition_id, event.event_id));
    if (!found || found.payload.supersedes_hash !== event.this_hash) return event;
    if (event.schema_id === SCHEMA_IDS.correction || event.schema_id === SCHEMA_IDS.accessDenied) return event;
    const payload = { ...(event.payload as Record<string, unknown>), ...found.payload.corrected };
    return { ...event, payload, superseded_by: found.event.event_id, correction_reason: found.payload.reason };
  });
}

/** The view asked for: the events as recorded, or with corrections applied. */
export function inView<E extends ViewableEvent>(view: View, events: readonly E[], corrections?: readonly ViewableEvent[]): CurrentEvent<E>[] {
  return view === 'current' ? currentView(events, corrections) : [...events];
}
