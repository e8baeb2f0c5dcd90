/** The lifecycle diagram for the README, drawn from the declared transitions (never by hand). */
import { definitionOf } from './catalog.js';
import { START, STATES, TERMINAL_STATES, TRANSITIONS, type LifecycleState, type State } from './lifecycle.js';
import { SCHEMA_IDS, type SchemaId } from './schema-ids.js';

/** One arrow of the diagram: every event that leads from `from` to `to`, with who may emit it. */
export interface LifecycleEdge {
  from: LifecycleState;
  to: State;
  schemaIds: SchemaId[];
  /** `schema_id`, then who may emit it when that is narrower than "anyone allowed" */
  labels: string[];
}

/**
 * The diagram's edges, in declaration order: the README diagram and the timeline page (gateway/ui) draw the
 * same list. Refusals and corrections are left out — neither changes the state; each is noted instead.
 */
export function lifecycleEdges(): LifecycleEdge[] {
  const edges = new Map<string, LifecycleEdge>();
  for (const [schemaId, transitions] of Object.entries(TRANSITIONS) as [SchemaId, (typeof TRANSITIONS)[SchemaId]][]) {
    // a refusal and a correction change no state: noted below instead of a self-loop on every live state
    if (schemaId === SCHEMA_IDS.accessDenied || schemaId === SCHEMA_IDS.correction) continue;
    const def = definitionOf(schemaId)!;
    const who = def.authority === 'system' ? ' (lease timer)' : def.actorTypes.length === 1 ? ` (${def.actorTypes[0]} only)` : '';
    for (const t of transitions) {
      for (const from of t.from) {
        const to = t.to === 'same' ? (from as State) : t.to;
        const key = `${from} --> ${to}`;
        const edge = edges.get(key) ?? { from, to, schemaIds: [], labels: [] };
        edge.schemaIds.push(schemaId);
        edge.labels.push(`${schemaId}${who}`);
        edges.set(key, edge);
      }
    }
  }
  return [...edges.values()];
}

export function lifecycleMermaid(): string {
  const lines = ['stateDiagram-v2'];
  for (const state of STATES) lines.push(`  state "${state}" as ${state}`);
  for (const edge of lifecycleEdges()) lines.push(`  ${edge.from === START ? '[*]' : edge.from} --> ${edge.to}: ${edge.labels.join('<br/>')}`);
  for (const state of TERMINAL_STATES) lines.push(`  ${state} --> [*]`);
  lines.push(`  note right of requested: any refused action is recorded as ${SCHEMA_IDS.accessDenied} and changes no state`);
  lines.push(`  note right of evidence: until closed or cancelled, a human may record ${SCHEMA_IDS.correction} superseding an earlier event; it changes no state`);
  return lines.join('\n');
}
