/** The composition list, filtered by type, state, lease holder and start time (GET /audit/compositions). */
import { listCompositions } from './api.js';
import { loc, type PageElement, type PageInput } from './browser.js';
import type { UiConfig } from './config.js';
import { h, replace } from './dom.js';

const FILTERS = [
  { name: 'composition_type', label: 'Type', placeholder: 'vrs_screening' },
  { name: 'lease_holder', label: 'Lease holder', placeholder: 'agent id' },
  { name: 'since', label: 'Started from', placeholder: '2026-12-01T00:00:00Z' },
  { name: 'until', label: 'Started before', placeholder: '2026-12-31T00:00:00Z' },
] as const;

export async function showList(root: PageElement, config: UiConfig, query: URLSearchParams): Promise<void> {
  const inputs = new Map<string, PageInput>();
  const field = (name: string, label: string, control: PageElement) => h('div', { class: 'field' }, h('label', { for: `filter-${name}` }, label), control);
  const fields = FILTERS.map((f) => {
    const input = h('input', { id: `filter-${f.name}`, name: f.name, type: 'text', placeholder: f.placeholder, value: query.get(f.name) ?? undefined }) as PageInput;
    inputs.set(f.name, input);
    return field(f.name, f.label, input);
  });
  const state = h('select', { id: 'filter-state', name: 'state' }, h('option', { value: '' }, 'any'), ...config.lifecycle.states.map((s) => h('option', { value: s, selected: query.get('state') === s ? '' : undefined }, s))) as PageInput;
  inputs.set('state', state);
  const form = h('form', { class: 'filters', 'aria-label': 'filter compositions' }, ...fields, field('state', 'State', state), h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, input] of inputs) if (input.value.trim()) next.set(name, input.value.trim());
    loc().hash = `#/compositions${next.size ? `?${next.toString()}` : ''}`;
  });
  const results = h('div', { id: 'composition-list', 'aria-live': 'polite' }, 'loading…');
  replace(root, h('h1', {}, 'Compositions'), form, results);

  try {
    const { compositions } = await listCompositions(query);
    if (!compositions.length) return replace(results, h('p', {}, 'No composition matches.'));
    const head = h('thead', {}, h('tr', {}, ...['composition', 'type', 'state', 'lease holder', 'started (UTC)', 'workflow'].map((c) => h('th', { scope: 'col' }, c))));
    const body = h(
      'tbody',
      {},
      ...compositions.map((c) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: `#/compositions/${encodeURIComponent(c.composition_id)}` }, c.composition_id)),
          h('td', {}, c.composition_type ?? '—'),
          h('td', {}, c.state ?? '—'),
          h('td', {}, c.lease_holder ?? '—'),
          h('td', {}, c.started),
          h('td', {}, c.status.toLowerCase()),
        ),
      ),
    );
    replace(results, h('table', { class: 'compositions' }, h('caption', {}, `${compositions.length} composition(s), newest first`), head, body));
  } catch (err) {
    replace(results, h('p', { class: 'error', role: 'alert' }, `The list could not be read: ${(err as Error).message}`));
  }
}
