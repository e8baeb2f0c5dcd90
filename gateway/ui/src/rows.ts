/**
 * One table row per event: time, schema, actor and its type, issuer, delegation chain, agent provenance, the
 * ABAC decision with its evaluation id, and what the browser's verifier found. Refusals
 * (coordination.access_denied.v1) get their own colour *and* the words "refused: <reason code>". Every value
 * comes from a hostile file: read defensively, shown as text.
 */
import type { PageElement } from './browser.js';
import type { RowCorrection, View } from './corrections-view.js';
import { h } from './dom.js';
import type { EventVerdict } from './verify/types.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
/** A value as short text: strings as they are, anything else as JSON, cut at `max` characters. */
export function text(v: unknown, max = 200): string {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export const REFUSAL_SCHEMA = 'coordination.access_denied.v1';
export const CORRECTION_SCHEMA = 'coordination.correction.v1';

/** The line of events.jsonl as the page shows it: parsed when it parses. */
export interface ShownEvent {
  index: number;
  event: Json;
  verdict?: EventVerdict;
  /** arrived on the live stream after the page loaded */
  live?: boolean;
  /** the latest correction that supersedes this event, if any */
  correction?: RowCorrection;
}

/** What the schema cell says of corrections: what a correction corrects; what supersedes an event, per view. */
function correctionNote(shown: ShownEvent, view: View): PageElement | null {
  const e = shown.event;
  if (e.schema_id === CORRECTION_SCHEMA) {
    const p = obj(e.payload);
    return h('span', { class: 'correction-label' }, ` corrects ${text(p.supersedes, 120)}: ${text(p.reason, 300)}`);
  }
  const c = shown.correction;
  if (!c) return null;
  if (view === 'historical') return h('span', { class: 'superseded-label' }, ` superseded by ${text(c.by, 120)} (the current view shows the correction)`);
  const fields = Object.entries(c.corrected).map(([k, v]) => `${text(k, 60)} = ${text(v, 120)}`);
  return h('span', { class: 'superseded-label' }, ` corrected by ${text(c.by, 120)}: ${text(c.reason, 300)} — now ${fields.join(', ')}`);
}

function checks(v: EventVerdict | undefined): PageElement {
  if (!v) return h('span', { class: 'check unknown' }, 'not checked');
  const parts = [
    `hash ${v.hashOk ? 'ok' : 'BAD'}`,
    `link ${v.linkOk ? 'ok' : 'BAD'}`,
    `signature ${v.signature}`,
    `inclusion ${v.inclusion.replace(/_/g, ' ')}`,
  ];
  const ok = v.codes.length === 0;
  return h('span', { class: `check ${ok ? 'ok' : 'bad'}`, title: v.problems.join('\n') || undefined }, ok ? '✓ ' : '✗ ', parts.join(' · '), ...v.problems.map((p) => h('span', { class: 'problem' }, ` — ${text(p, 300)}`)));
}

function agentCell(agent: unknown): PageElement | string {
  const a = obj(agent);
  if (!Object.keys(a).length) return '';
  const tools = Array.isArray(a.tool_call_chain) ? a.tool_call_chain.map((t) => text(t, 60)).join(' → ') : '';
  return h(
    'span',
    { class: 'agent' },
    `model ${text(a.model_id, 80)}, temperature ${text(a.temperature, 10)}, seed ${text(a.seed, 20)}`,
    h('br'),
    `prompt ${text(a.prompt_hash, 24)}, response ${text(a.response_hash, 24)}`,
    tools ? h('br') : null,
    tools ? `tools ${tools}` : null,
  );
}

export function eventRow(shown: ShownEvent, view: View = 'historical'): PageElement {
  const e = shown.event;
  const actor = obj(e.actor);
  const auth = obj(e.auth);
  const abac = obj(e.abac_decision);
  const payload = obj(e.payload);
  const refusal = e.schema_id === REFUSAL_SCHEMA;
  const broken = shown.verdict ? shown.verdict.codes.length > 0 : false;
  const chain = Array.isArray(auth.delegation_chain) ? auth.delegation_chain.map((c) => text(c, 80)).join(' ← ') : '';
  const cls = ['event', refusal ? 'refusal' : '', broken ? 'broken' : '', shown.live ? 'live' : '', shown.correction ? 'superseded' : ''].filter(Boolean).join(' ');
  return h(
    'tr',
    { class: cls, id: `event-${shown.index + 1}`, 'data-event-id': text(e.event_id, 120), 'data-index': String(shown.index) },
    h('th', { scope: 'row' }, String(shown.index + 1)),
    h('td', {}, h('time', { datetime: text(e.ts_utc, 40) }, text(e.ts_utc, 40))),
    h('td', { class: 'schema' }, text(e.schema_id, 100), refusal ? h('span', { class: 'refused-label' }, ` refused: ${text(payload.reason_code, 60)} (attempted ${text(payload.attempted_schema_id, 80)})`) : null, correctionNote(shown, view)),
    h('td', {}, text(actor.id, 100), h('span', { class: 'actor-type' }, ` (${text(actor.type, 20)})`)),
    h('td', { class: 'issuer' }, text(auth.issuer, 120) || '—'),
    h('td', {}, chain || '—'),
    h('td', {}, agentCell(e.agent) || '—'),
    h('td', {}, abac.outcome ? `${text(abac.outcome, 10)} ${text(abac.uds_eval_id, 80)}` : '—'),
    h('td', {}, checks(shown.verdict), broken ? h('strong', { class: 'break-label' }, ' BROKEN') : null),
  );
}

export function eventTable(events: readonly ShownEvent[], view: View = 'historical'): { table: PageElement; body: PageElement } {
  const body = h('tbody', { id: 'event-rows' }, ...events.map((e) => eventRow(e, view)));
  const head = h('thead', {}, h('tr', {}, ...['#', 'time (UTC)', 'schema', 'actor (type)', 'issuer', 'delegation chain', 'agent provenance', 'ABAC decision', 'checks'].map((c) => h('th', { scope: 'col' }, c))));
  const table = h('table', { class: 'events', 'aria-label': 'audit events' }, h('caption', {}, view === 'current' ? 'Events, in chain order — current view: corrections applied' : 'Events, in chain order — as recorded'), head, body);
  return { table, body };
}
