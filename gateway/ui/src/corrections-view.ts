/**
 * The page's two readings of a record (issue 16 item 5): as recorded (historical) and with corrections
 * applied (current). Which correction applies to which event is audit/corrections.ts's rule — the same
 * function the ledger's queries and the CLI use; this file only turns its answer into what a row shows.
 * The verdict is always computed on the events as recorded.
 */
import { currentView, type View, type ViewableEvent } from '../../../audit/corrections.js';

type Json = Record<string, unknown>;

/** What a row shows of the correction that supersedes its event. */
export interface RowCorrection {
  /** the correction's event id */
  by: string;
  reason: string;
  /** the superseded payload fields and the values the correction gives them */
  corrected: Json;
}

const isViewable = (e: Json): e is Json & ViewableEvent =>
  typeof e.event_id === 'string' && typeof e.schema_id === 'string' && typeof e.composition_id === 'string' && typeof e.this_hash === 'string';

/** For each superseded event (by event id): the latest correction that applies to it. */
export function correctionsOf(events: readonly Json[]): Map<string, RowCorrection> {
  const viewable = events.filter(isViewable);
  const byId = new Map(viewable.map((e) => [e.event_id, e]));
  const out = new Map<string, RowCorrection>();
  for (const shown of currentView(viewable)) {
    if (!shown.superseded_by) continue;
    const payload = byId.get(shown.superseded_by)?.payload as { corrected?: unknown } | undefined;
    const corrected = payload?.corrected && typeof payload.corrected === 'object' && !Array.isArray(payload.corrected) ? (payload.corrected as Json) : {};
    out.set(shown.event_id, { by: shown.superseded_by, reason: shown.correction_reason ?? '', corrected });
  }
  return out;
}

export type { View };
