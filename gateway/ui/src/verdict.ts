/** The verdict banner: what the browser's own check of the events found, in words (not colour alone). */
import type { PageElement } from './browser.js';
import { h, replace } from './dom.js';
import type { Verdict } from './verify/index.js';

export function verdictWords(verdict: Pick<Verdict, 'status' | 'firstBreak' | 'unchecked' | 'events'>): string {
  if (verdict.status === 'verified') return `verified — ${verdict.events.length} events: canonical form and SHA-256, chain links, emitter signatures, inclusion in the witnessed checkpoint`;
  if (verdict.status === 'broken') {
    const b = verdict.firstBreak;
    if (!b) return 'broken';
    return b.index >= 0 ? `broken at event ${b.index + 1} (${b.event_id ?? 'unknown id'}): ${b.code} — ${b.message}` : `broken: ${b.code}${b.file ? ` in ${b.file}` : ''} — ${b.message}`;
  }
  return `incomplete — nothing broke, but not everything could be checked: ${verdict.unchecked.join('; ')}`;
}

/** Fills the banner (role=status, aria-live: screen readers hear a change) and returns the status word. */
export function showVerdict(banner: PageElement, verdict: Pick<Verdict, 'status' | 'firstBreak' | 'unchecked' | 'events'>, note?: string): void {
  banner.className = `verdict ${verdict.status}`;
  banner.dataset.status = verdict.status;
  // the words begin with the status; it is the banner's emphasis (a screen reader hears it once)
  const words = verdictWords(verdict);
  const status = words.slice(0, verdict.status.length);
  replace(banner, h('strong', { class: 'verdict-status' }, status), h('span', { id: 'verdict-text' }, words.slice(status.length)), note ? h('span', { class: 'note' }, ` ${note}`) : null);
}
