/**
 * The ledger's events in the view a reader asks for (issue 16 item 5): `historical`, as recorded (the
 * default), or `current`, with corrections applied by audit/corrections.ts. A page of a query may not hold
 * the corrections of its events (they come later, or the filter leaves them out), so the current view looks
 * them up per composition on the page. The stored rows never change.
 */
import { z } from 'zod';
import { currentView, VIEWS, type View, type ViewableEvent } from '../audit/corrections.js';
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import type { EventPage, EventQuery } from './query.js';
import { allEvents, type LedgerStore } from './store.js';

/** The `view` field of an event query (HTTP `?view=`, CLI `--view`). */
export const viewSchema = z.strictObject({ view: z.enum(VIEWS).default('historical') });

/** Every correction recorded in these compositions, in store order. */
export async function correctionsOf(store: LedgerStore, compositionIds: Iterable<string>): Promise<ViewableEvent[]> {
  const corrections: ViewableEvent[] = [];
  for (const composition_id of new Set(compositionIds)) {
    for await (const c of allEvents(store, { composition_id, schema_id: SCHEMA_IDS.correction })) corrections.push(c as ViewableEvent);
  }
  return corrections;
}

/** Events (of any number of compositions) in the view asked for. */
export async function eventsInView(store: LedgerStore, events: readonly unknown[], view: View): Promise<unknown[]> {
  if (view === 'historical') return [...events];
  const viewable = events as ViewableEvent[];
  return currentView(viewable, await correctionsOf(store, viewable.map((e) => e.composition_id)));
}

/** One page of a query in the view asked for: the same events and cursor, read through the view. */
export async function eventPageInView(store: LedgerStore, query: EventQuery, view: View): Promise<EventPage> {
  const page = await store.events(query);
  return view === 'historical' ? page : { ...page, events: await eventsInView(store, page.events, view) };
}
