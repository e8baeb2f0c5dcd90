/**
 * Building the page with DOM APIs only: text goes in as text nodes (never innerHTML), attributes through
 * setAttribute. Everything an event carries was written by whoever emitted it.
 */
import { doc, type PageElement, type PageEvent, type PageNode } from './browser.js';

export type Child = PageNode | string | null | undefined | false;
export type Attrs = Record<string, string | undefined | false>;

/** `h('td', { class: 'x' }, 'text', otherNode)`: an element with attributes and children, text as text. */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): PageElement {
  const el = doc().createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== false) el.setAttribute(name, value);
  append(el, ...children);
  return el;
}

export function append(parent: PageElement, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? doc().createTextNode(c) : c);
  }
}

/** Replaces everything inside `el`. */
export function replace(el: PageElement, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** The element with this id, or a TypeError naming it (the HTML shell and the code go together). */
export function byId<T extends PageElement = PageElement>(id: string): T {
  const el = doc().getElementById(id);
  if (!el) throw new TypeError(`the page has no #${id}`);
  return el as T;
}

/** A real button (keyboard and screen readers get it for free). */
export function button(label: string, onClick: (event: PageEvent) => void, attrs: Attrs = {}): PageElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}
