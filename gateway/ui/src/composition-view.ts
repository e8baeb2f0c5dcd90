/**
 * One composition: the lifecycle with the path taken, the verdict banner, a row per event, links to the
 * Temporal Web UI and to a signed export, "Load an export…", and live rows from the stream.
 *
 * Order matters for live updates: the stream is opened first (it starts "now"), then the export is read;
 * events that arrive meanwhile are held and applied once the export's rows are shown, skipping those the
 * export already had — so no event falls between the two.
 */
import { ApiError, exportOf, type ExportJson } from './api.js';
import { canonicalLine } from './canonical-line.js';
import { token } from './auth.js';
import type { PageElement, PageInput } from './browser.js';
import type { UiConfig } from './config.js';
import { correctionsOf, type View } from './corrections-view.js';
import { button, h, replace } from './dom.js';
import { readExport, saveExport } from './export-file.js';
import { pathTaken, renderLifecycle } from './lifecycle.js';
import { eventTable, text, type ShownEvent } from './rows.js';
import { readStream } from './sse.js';
import { showVerdict } from './verdict.js';
import { verifyAppended, verifyBundle, type LinkPrevious, type PageTrust, type Verdict } from './verify/index.js';

interface LiveData {
  event?: Record<string, unknown>;
  emitter_signature?: { kid?: string; sig?: string } | null;
}

/** The rows of events.jsonl, parsed where they parse (a broken line still gets its row). */
function shownEvents(files: ExportJson['files'], verdict: Verdict): ShownEvent[] {
  const lines = files['events.jsonl'].split('\n').filter((l) => l !== '');
  return lines.map((line, index) => {
    let event: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(line) as unknown;
      if (parsed && typeof parsed === 'object') event = parsed as Record<string, unknown>;
    } catch {
      event = { schema_id: '(not JSON)' };
    }
    const v = verdict.events[index];
    return { index, event, ...(v ? { verdict: v } : {}) };
  });
}

export class CompositionView {
  private readonly abort = new AbortController();
  private events: ShownEvent[] = [];
  private verdict: Verdict | undefined;
  private held: LiveData[] | undefined = [];
  private previous: LinkPrevious | null = null;
  private liveBroken: ShownEvent | undefined;
  private readonly banner = h('p', { id: 'verdict', role: 'status', 'aria-live': 'polite', class: 'verdict pending' }, 'verifying…');
  private readonly lifecycleSlot = h('div', { id: 'lifecycle' });
  private readonly tableSlot = h('div', { id: 'events' });
  private readonly liveStatus = h('p', { id: 'live-status', class: 'live-status' }, 'live: connecting…');
  private view: View = 'historical';

  constructor(
    private readonly root: PageElement,
    private readonly config: UiConfig,
    private readonly trust: PageTrust,
    private readonly id: string,
  ) {}

  stop(): void {
    this.abort.abort();
  }

  async show(): Promise<void> {
    const temporal = `${this.config.temporal_ui}/workflows/${encodeURIComponent(this.id)}`;
    const load = h('input', { type: 'file', id: 'load-export', accept: '.json,application/json' }) as PageInput;
    load.addEventListener('change', () => void this.loadFile(load));
    replace(
      this.root,
      h('p', {}, h('a', { href: '#/compositions' }, '← all compositions')),
      h('h1', {}, 'Composition ', h('code', {}, this.id)),
      this.banner,
      h(
        'nav',
        { class: 'actions', 'aria-label': 'composition actions' },
        h('a', { href: temporal, id: 'temporal-link', rel: 'noopener noreferrer', target: '_blank' }, 'Open in the Temporal Web UI'),
        button('Download signed export', () => void this.download(), { id: 'download-export' }),
        h('label', { for: 'load-export', class: 'file-label' }, 'Load an export… '),
        load,
      ),
      this.liveStatus,
      this.lifecycleSlot,
      this.viewChoice(),
      this.tableSlot,
      h('p', { class: 'trust-note' }, 'Keys: the export, emitter, log and witness keys the page checks against were delivered by this gateway. They show the record agrees with our own keys; a partner pins its own copy (coord federation trust) instead of trusting ours.'),
    );
    void this.live();
    let exported: ExportJson | undefined;
    try {
      exported = await exportOf(this.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    if (exported) await this.render(exported);
    else this.renderEmpty();
    const held = this.held ?? [];
    this.held = undefined;
    for (const data of held) await this.append(data);
  }

  private renderEmpty(): void {
    this.verdict = undefined;
    this.events = [];
    replace(this.banner, 'no event of this composition is in the ledger yet; live events will appear here');
    this.redraw();
  }

  private async render(exported: ExportJson, fromFile?: string): Promise<void> {
    const verdict = await verifyBundle(exported.files, this.trust);
    this.verdict = verdict;
    this.events = shownEvents(exported.files, verdict);
    const last = this.events.at(-1)?.event;
    this.previous = last && typeof last.event_id === 'string' && typeof last.this_hash === 'string' ? { event_id: last.event_id, this_hash: last.this_hash } : null;
    this.liveBroken = undefined;
    showVerdict(this.banner, verdict, fromFile ? `(export loaded from ${fromFile})` : undefined);
    this.redraw();
    const b = verdict.firstBreak;
    if (b && b.index >= 0) this.root.querySelector(`#event-${b.index + 1}`)?.classList.add('first-break');
  }

  /** Historical (as recorded) or current (corrections applied): two buttons, the pressed one says which. */
  private viewChoice(): PageElement {
    const choose = (view: View) => () => {
      this.view = view;
      for (const b of [historical, current]) b.setAttribute('aria-pressed', String(b.id === `view-${view}`));
      this.redraw();
    };
    const historical = button('As recorded', choose('historical'), { id: 'view-historical', 'aria-pressed': 'true' });
    const current = button('Current (corrections applied)', choose('current'), { id: 'view-current', 'aria-pressed': 'false' });
    return h('div', { class: 'view-choice', role: 'group', 'aria-label': 'which reading of the record' }, 'View: ', historical, ' ', current);
  }

  private redraw(): void {
    const path = pathTaken(this.config.lifecycle, this.events.map((e) => text(e.event.schema_id, 200)));
    replace(this.lifecycleSlot, renderLifecycle(this.config.lifecycle, path));
    // which event a correction supersedes is the one rule of audit/corrections.ts; rows say it in both views
    const corrections = correctionsOf(this.events.map((e) => e.event));
    const shown = this.events.map((e) => {
      const correction = typeof e.event.event_id === 'string' ? corrections.get(e.event.event_id) : undefined;
      return correction ? { ...e, correction } : e;
    });
    const { table } = eventTable(shown, this.view);
    replace(this.tableSlot, table);
  }

  /** One event from the stream: checked on its own (hash, link to the last row, emitter signature), then shown. */
  private async append(data: LiveData): Promise<void> {
    const event = data.event;
    if (!event || typeof event.event_id !== 'string') return;
    if (this.events.some((e) => e.event.event_id === event.event_id)) return;
    const index = this.events.length;
    // the line as recorded is the event's canonical JSON; the verifier checks that it is
    const verdict = await verifyAppended(this.previous, canonicalLine(event), data.emitter_signature ?? null, this.trust, index);
    const shown: ShownEvent = { index, event, verdict, live: true };
    this.events.push(shown);
    if (typeof event.this_hash === 'string') this.previous = { event_id: event.event_id, this_hash: event.this_hash };
    this.redraw();
    if (verdict.codes.length && !this.liveBroken) this.liveBroken = shown;
    const base = this.verdict ?? { status: 'verified' as const, events: [], unchecked: [] };
    const live = this.events.filter((e) => e.live).length;
    if (this.liveBroken) {
      const b = this.liveBroken;
      showVerdict(this.banner, { status: 'broken', events: this.events.map((e) => e.verdict!).filter(Boolean), unchecked: [], firstBreak: { index: b.index, event_id: String(b.event.event_id), code: b.verdict!.codes[0]!, kind: b.verdict!.codes[0]!, message: b.verdict!.problems[0] ?? '' } });
      this.root.querySelector(`#event-${b.index + 1}`)?.classList.add('first-break');
    } else {
      showVerdict(this.banner, base, `(+${live} live event${live === 1 ? '' : 's'}: hash, link and emitter signature checked; inclusion awaits the next checkpoint)`);
    }
  }

  private async live(): Promise<void> {
    let last: string | undefined;
    while (!this.abort.signal.aborted && token()) {
      try {
        last = await readStream({
          url: `/audit/stream?composition_id=${encodeURIComponent(this.id)}`,
          token: () => token() ?? '',
          ...(last !== undefined ? { lastEventId: last } : {}),
          signal: this.abort.signal,
          onOpen: () => replace(this.liveStatus, 'live: connected — new events appear below without a reload'),
          onMessage: (m) => {
            if (m.event !== 'audit_event') return;
            const data = JSON.parse(m.data) as LiveData;
            if (this.held) this.held.push(data);
            else void this.append(data);
          },
        });
      } catch (err) {
        if (this.abort.signal.aborted) return;
        replace(this.liveStatus, `live: disconnected (${(err as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  private async download(): Promise<void> {
    try {
      saveExport(await exportOf(this.id));
    } catch (err) {
      replace(this.liveStatus, `export failed: ${(err as Error).message}`);
    }
  }

  private async loadFile(input: PageInput): Promise<void> {
    const file = input.files?.[0] as (Blob & { name?: string }) | undefined;
    if (!file) return;
    try {
      this.stop(); // a loaded file is shown as it is: no live rows mixed into it
      replace(this.liveStatus, 'live: off (showing a loaded export)');
      await this.render(await readExport(file), file.name ?? 'a file');
    } catch (err) {
      replace(this.banner, `the file could not be read: ${(err as Error).message}`);
    }
  }
}
