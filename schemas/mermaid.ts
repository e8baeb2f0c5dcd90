/** The lifecycle diagram for the README, drawn from the declared transitions (never by hand). */
import { definitionOf } from './catalog.js';
import { START, STATES, TERMINAL_STATES, TRANSITIONS } from './lifecycle.js';
import { SCHEMA_IDS, type SchemaId } from './schema-ids.js';

export function lifecycleMermaid(): string {
  const edges = new Map<string, string[]>();
  for (const [schemaId, transitions] of Object.entries(TRANSITIONS) as [SchemaId, (typeof TRANSITIONS)[SchemaId]][]) {
    if (schemaId === SCHEMA_IDS.accessDenied) continue; // a refusal changes nothing: noted below instead
    const def = definitionOf(schemaId)!;
    const who = def.authority === 'system' ? ' (lease timer)' : def.actorTypes.length === 1 ? ` (${def.actorTypes[0]} only)` : '';
    for (const t of transitions) {
      for (const from of t.from) {
        const to = t.to === 'same' ? from : t.to;
        const key = `${from === START ? '[*]' : from} --> ${to}`;
        edges.set(key, [...(edges.get(key) ?? []), `${schemaId}${who}`]);
      }
    }
  }
  const lines = ['stateDiagram-v2'];
  for (const state of STATES) lines.push(`  state "${state}" as ${state}`);
  for (const [edge, labels] of edges) lines.push(`  ${edge}: ${labels.join('<br/>')}`);
  for (const state of TERMINAL_STATES) lines.push(`  ${state} --> [*]`);
  lines.push(`  note right of requested: any refused action is recorded as ${SCHEMA_IDS.accessDenied} and changes no state`);
  return lines.join('\n');
}
