// The page's sign-in answer handling (gateway/ui/src/auth.ts), run in Node with the browser globals it reaches
// through gateway/ui/src/browser.ts replaced by small fakes (the browser test covers the real flow): an answer
// with another state or from another issuer than the one asked (RFC 9207 mix-up) is refused and leaves no
// token; a genuine one keeps the token in memory, puts a clean address back and never stores the token; a
// tampered return route cannot put anything but a page route into the address bar.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { completeSignIn, forget, token } from '../../../gateway/ui/src/auth.js';
import type { UiConfig } from '../../../gateway/ui/src/config.js';

const ISSUER = 'http://127.0.0.1:9401';
const config: UiConfig = {
  client_id: 'coord-timeline',
  scopes: 'openid audit_read',
  organisations: [{ name: 'firm', issuer: ISSUER, discovery: `${ISSUER}/.well-known/openid-configuration` }],
  temporal_ui: 'http://127.0.0.1:8233',
  lifecycle: { start: 'none', states: [], terminal: [], edges: [], refusal_schema: 'coordination.access_denied.v1' },
};

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

interface Page {
  stored: Map<string, string>;
  addresses: string[];
  tokenRequests: number;
}

/** Installs the fakes for one answer at /ui/callback?<query>, with the pending sign-in the page left. */
function page(query: Record<string, string>, pending: Record<string, string>): Page {
  const state: Page = { stored: new Map([['coord-timeline-signin', JSON.stringify(pending)]]), addresses: [], tokenRequests: 0 };
  const g = globalThis as Record<string, unknown>;
  g.location = { origin: 'http://127.0.0.1:8088', pathname: '/ui/callback', search: `?${new URLSearchParams(query)}`, hash: '', assign() {} };
  g.history = { replaceState: (_d: unknown, _u: string, url: string) => state.addresses.push(url) };
  g.sessionStorage = { getItem: (k: string) => state.stored.get(k) ?? null, setItem: (k: string, v: string) => state.stored.set(k, v), removeItem: (k: string) => state.stored.delete(k) };
  g.fetch = async (url: string) => {
    if (url.endsWith('/.well-known/openid-configuration')) return Response.json({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token` });
    state.tokenRequests += 1;
    return Response.json({ access_token: jwt({ sub: 'alice@citi.example' }), id_token: jwt({ nonce: 'n-1' }), token_type: 'Bearer' });
  };
  return state;
}

const pending = { verifier: 'v', state: 's-1', nonce: 'n-1', issuer: ISSUER, route: '#/compositions/cmp_01ABC' };
const realFetch = globalThis.fetch;
afterEach(() => {
  forget();
  globalThis.fetch = realFetch;
});

test('a genuine answer: the token is held in memory only, the address is cleaned and the route restored', async () => {
  const p = page({ code: 'c', state: 's-1', iss: ISSUER }, pending);
  assert.equal(await completeSignIn(config), '#/compositions/cmp_01ABC');
  assert.match(token() ?? '', /^e30\./);
  assert.deepEqual(p.addresses, ['/ui/#/compositions/cmp_01ABC']);
  assert.equal(p.stored.size, 0, 'nothing of the sign-in stays in sessionStorage');
});

test('an answer from another issuer than the one asked (RFC 9207 mix-up) is refused before any code is exchanged', async () => {
  const p = page({ code: 'c', state: 's-1', iss: 'http://127.0.0.1:9402' }, pending);
  await assert.rejects(completeSignIn(config), /comes from http:\/\/127\.0\.0\.1:9402, not from/);
  assert.equal(token(), undefined);
  assert.equal(p.tokenRequests, 0);
});

test('an answer with another state is refused before any code is exchanged', async () => {
  const p = page({ code: 'c', state: 'forged', iss: ISSUER }, pending);
  await assert.rejects(completeSignIn(config), /state/);
  assert.equal(token(), undefined);
  assert.equal(p.tokenRequests, 0);
});

test('a return route that is not a page route puts only the list into the address bar', async () => {
  for (const route of ['//evil.example/x', '#/compositions/<img src=x>', 'javascript:alert(1)', '../../other']) {
    const p = page({ code: 'c', state: 's-1', iss: ISSUER }, { ...pending, route });
    assert.equal(await completeSignIn(config), '#/compositions', route);
    assert.deepEqual(p.addresses, ['/ui/#/compositions'], route);
    forget();
  }
});
