/**
 * The auditor's timeline page. Hash routes (`#/compositions`, `#/compositions/<id>`) keep the in-memory token
 * across navigation; a deep link works signed out: sign in, come back to it (gateway/ui/src/auth.ts).
 */
import { pageTrust } from './api.js';
import { completeSignIn, forget, signIn, token, who } from './auth.js';
import { loc, onWindow } from './browser.js';
import { loadConfig, type UiConfig } from './config.js';
import { CompositionView } from './composition-view.js';
import { button, byId, h, replace } from './dom.js';
import { showList } from './list-view.js';
import { trustFromTrustFile, type PageTrust } from './verify/index.js';

const COMPOSITION_ROUTE = /^#\/compositions\/(cmp_[A-Za-z0-9_-]{1,120})$/;

let current: CompositionView | undefined;
let trust: Promise<PageTrust> | undefined;

function showSignIn(config: UiConfig, route: string, problem?: string): void {
  replace(
    byId('main'),
    h('h1', {}, 'Sign in'),
    problem ? h('p', { class: 'error', role: 'alert' }, problem) : null,
    h('p', {}, 'The timeline shows the audit record to auditors of our organisations (scope audit_read). Sign in with your organisation:'),
    h('ul', { class: 'organisations' }, ...config.organisations.map((org) => h('li', {}, button(`Sign in with ${org.name}`, () => void signIn(config, org, route).catch((err: Error) => showSignIn(config, route, err.message)), { 'data-issuer': org.issuer })))),
  );
}

function showWho(config: UiConfig): void {
  const me = who();
  replace(
    byId('who'),
    me
      ? h('span', {}, `Signed in as ${me.name} (${me.org}) `, button('Sign out', () => {
          forget();
          trust = undefined;
          void route(config);
        }))
      : 'Not signed in',
  );
}

async function route(config: UiConfig): Promise<void> {
  current?.stop();
  current = undefined;
  showWho(config);
  const hash = loc().hash || '#/compositions';
  if (!token()) return showSignIn(config, hash);
  const main = byId('main');
  try {
    const match = COMPOSITION_ROUTE.exec(hash);
    if (match) {
      trust ??= pageTrust().then(trustFromTrustFile);
      current = new CompositionView(main, config, await trust, match[1]!);
      await current.show();
      return;
    }
    const [, query = ''] = hash.split('?');
    await showList(main, config, new URLSearchParams(query));
  } catch (err) {
    replace(main, h('p', { class: 'error', role: 'alert' }, `Something went wrong: ${(err as Error).message}`), h('p', {}, h('a', { href: '#/compositions' }, 'All compositions')));
  }
}

async function start(): Promise<void> {
  const config = await loadConfig();
  if (loc().pathname === '/ui/callback') {
    try {
      await completeSignIn(config);
    } catch (err) {
      return showSignIn(config, '#/compositions', (err as Error).message);
    }
  }
  onWindow('hashchange', () => void route(config));
  await route(config);
}

start().catch((err: unknown) => {
  byId('main').textContent = `The page could not start: ${(err as Error).message}`;
});
