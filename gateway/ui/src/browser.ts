/**
 * The browser's globals, typed as far as the page uses them. The project type-checks as one Node program
 * without the DOM library (adding it changes the types Node code sees), so the page declares the small
 * surface it needs here and reaches every browser global through this module.
 */

export interface PageEvent {
  readonly type: string;
  readonly key?: string;
  readonly target: unknown;
  preventDefault(): void;
}

export interface PageNode {
  readonly nodeType: number;
}

export interface PageElement extends PageNode {
  id: string;
  className: string;
  hidden: boolean;
  textContent: string | null;
  tabIndex: number;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { add(...tokens: string[]): void; remove(...tokens: string[]): void; toggle(token: string, force?: boolean): boolean; contains(token: string): boolean };
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  appendChild<T extends PageNode>(node: T): T;
  replaceChildren(...nodes: (PageNode | string)[]): void;
  querySelector(selectors: string): PageElement | null;
  querySelectorAll(selectors: string): ArrayLike<PageElement>;
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
  focus(): void;
  click(): void;
  remove(): void;
  scrollIntoView(options?: { block?: 'center' | 'nearest' }): void;
}

export interface PageInput extends PageElement {
  value: string;
  readonly files: ArrayLike<Blob> | null;
}

export interface PageDocument {
  title: string;
  readonly body: PageElement;
  createElement(tag: string): PageElement;
  createElementNS(ns: string, tag: string): PageElement;
  createTextNode(text: string): PageNode;
  getElementById(id: string): PageElement | null;
}

export interface PageLocation {
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  hash: string;
  assign(url: string): void;
}

interface PageWindow {
  readonly document: PageDocument;
  readonly location: PageLocation;
  readonly history: { replaceState(data: unknown, unused: string, url: string): void };
  readonly sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
}

const page = globalThis as unknown as PageWindow;

export const doc = (): PageDocument => page.document;
export const loc = (): PageLocation => page.location;
export const pageHistory = () => page.history;
/** Only the sign-in's PKCE verifier, state, nonce and return route are ever kept here — never a token. */
export const session = () => page.sessionStorage;
export const onWindow = (type: string, listener: (event: PageEvent) => void): void => page.addEventListener(type, listener);
