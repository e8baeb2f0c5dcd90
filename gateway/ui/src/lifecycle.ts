/**
 * The declared lifecycle on the page: the same edge list as the README diagram (schemas/mermaid.ts, sent in
 * /ui/config.json), with the path a composition took and its current state marked — in text as well as in
 * colour ("current", "visited", "taken").
 */
import type { Lifecycle, LifecycleEdge } from './config.js';
import { h } from './dom.js';
import type { PageElement } from './browser.js';

export interface PathTaken {
  current: string;
  /** states entered, in order, starting state first */
  visited: string[];
  /** `from→to` of every edge taken */
  edges: Set<string>;
}

export const edgeKey = (e: Pick<LifecycleEdge, 'from' | 'to'>) => `${e.from}→${e.to}`;

/** Walks the events over the declared edges; an event no edge takes from the current state changes nothing (refusals). */
export function pathTaken(lifecycle: Lifecycle, schemaIds: readonly string[]): PathTaken {
  let current = lifecycle.start;
  const visited = [current];
  const edges = new Set<string>();
  for (const schemaId of schemaIds) {
    if (schemaId === lifecycle.refusal_schema) continue;
    const edge = lifecycle.edges.find((e) => e.from === current && e.schema_ids.includes(schemaId));
    if (!edge) continue;
    edges.add(edgeKey(edge));
    if (edge.to !== current) visited.push(edge.to);
    current = edge.to;
  }
  return { current, visited, edges };
}

export function renderLifecycle(lifecycle: Lifecycle, path: PathTaken): PageElement {
  const states = h(
    'ol',
    { class: 'states', 'aria-label': 'states' },
    ...lifecycle.states.map((s) => {
      const mark = s === path.current ? 'current' : path.visited.includes(s) ? 'visited' : '';
      return h('li', { class: `state ${mark}`, 'aria-current': s === path.current ? 'step' : undefined, 'data-state': s }, h('span', { class: 'state-name' }, s), mark ? h('span', { class: 'mark' }, ` (${mark})`) : null);
    }),
  );
  const transitions = h(
    'ul',
    { class: 'transitions', 'aria-label': 'declared transitions' },
    ...lifecycle.edges.map((e) => {
      const taken = path.edges.has(edgeKey(e));
      return h('li', { class: taken ? 'taken' : undefined }, h('span', { class: 'edge' }, `${e.from} → ${e.to}`), ': ', e.labels.join(', '), taken ? h('strong', { class: 'mark' }, ' (taken)') : null);
    }),
  );
  return h(
    'section',
    { class: 'lifecycle', 'aria-labelledby': 'lifecycle-title' },
    h('h2', { id: 'lifecycle-title' }, 'Lifecycle'),
    h('p', {}, 'Current state: ', h('strong', { id: 'current-state' }, path.current)),
    states,
    h('details', {}, h('summary', {}, 'Declared transitions (the README diagram)'), transitions),
  );
}
