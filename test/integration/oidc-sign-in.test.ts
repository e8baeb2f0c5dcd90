// Proves a person signs in to a dev IdP with the authorization code flow and PKCE, as the timeline page does
// in the browser, and gets an access token the service's verifier accepts unchanged (actor_type human, the
// person's scopes and no others); proves the refusals (no or plain PKCE, a wrong verifier, a reused code, an
// unregistered redirect or client, an unknown user) and that a key rotation signs new tokens with the new kid
// while old ones still verify. Runs on IdPs of its own (free ports, temp keys): the shared stack is untouched.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { tokenAudience } from '../../config/endpoints.js';
import { JwtVerifier } from '../../activities/jwt/verifier.js';
import { trustedIssuerSchema } from '../../activities/jwt/trusted-issuers.js';
import { TIMELINE_CLIENT_ID, TIMELINE_REDIRECT_PATH } from '../../infra/idp/provider.js';
import { exchangeCode, pkce, signIn, type Pkce } from '../helpers/oidc-code-flow.js';
import { startScratchIdp, type ScratchIdp } from '../helpers/scratch-idp.js';

/** A gateway origin of the test's own (nothing listens there: the flow stops at the redirect to it). */
const PAGE = 'http://127.0.0.1:18088';
const PAGE_LOCALHOST = 'http://localhost:18088';
const REDIRECT_URI = `${PAGE}${TIMELINE_REDIRECT_PATH}`;
const ALL_SCOPES = 'openid profile audit_read fusion_operator vrs_screening_request vrs_screening_review edition_attest';

let firm: ScratchIdp;
let partner: ScratchIdp;
let verifier: JwtVerifier;
let tokenEndpoint: (idp: ScratchIdp) => string;

before(async () => {
  [firm, partner] = await Promise.all([startScratchIdp('firm', 'RS256', [PAGE, PAGE_LOCALHOST]), startScratchIdp('partner', 'ES256', [PAGE])]);
  const issuers = [
    trustedIssuerSchema.parse({ name: 'firm', issuer: firm.issuer, actorTypes: ['human', 'service'], algorithms: ['RS256'], maxLifetimeSeconds: 3600 }),
    trustedIssuerSchema.parse({ name: 'partner', issuer: partner.issuer, actorTypes: ['human', 'service'], algorithms: ['ES256'], maxLifetimeSeconds: 3600 }),
  ];
  // no refetch cooldown: the rotation test needs the new kid at once
  verifier = new JwtVerifier({ issuers, audience: tokenAudience(), jwksCooldownMs: 0 });
  const endpoints = new Map<string, string>();
  for (const idp of [firm, partner]) {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string; authorization_endpoint: string; code_challenge_methods_supported: string[] };
    assert.equal(doc.authorization_endpoint, `${idp.issuer}/auth`);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    endpoints.set(idp.issuer, doc.token_endpoint);
  }
  tokenEndpoint = (idp) => endpoints.get(idp.issuer)!;
});
after(async () => Promise.all([firm?.stop(), partner?.stop()]));

function authorizeParams(p: Pkce | undefined, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: TIMELINE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: ALL_SCOPES,
    state: 'state-1',
    nonce: 'nonce-1',
    ...(p ? { code_challenge: p.challenge, code_challenge_method: 'S256' } : {}),
    ...overrides,
  };
}

/** Signs in and returns the code the page's callback receives. */
async function codeFor(idp: ScratchIdp, username: string, p: Pkce, overrides: Record<string, string> = {}): Promise<string> {
  const outcome = await signIn(idp.issuer, authorizeParams(p, overrides), username);
  assert.equal(outcome.kind, 'left-idp', JSON.stringify(outcome));
  const { location } = outcome as { location: URL };
  assert.equal(`${location.origin}${location.pathname}`, overrides.redirect_uri ?? REDIRECT_URI);
  assert.equal(location.searchParams.get('state'), 'state-1');
  assert.equal(location.searchParams.get('iss'), idp.issuer);
  const code = location.searchParams.get('code');
  assert.ok(code, `no code in ${location.search}`);
  return code;
}

function tokenForm(code: string, p: Pkce, redirectUri = REDIRECT_URI): Record<string, string> {
  return { grant_type: 'authorization_code', client_id: TIMELINE_CLIENT_ID, code, redirect_uri: redirectUri, code_verifier: p.verifier };
}

async function signedInToken(idp: ScratchIdp, username: string): Promise<string> {
  const p = pkce();
  const res = await exchangeCode(tokenEndpoint(idp), tokenForm(await codeFor(idp, username, p), p), PAGE);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.access_token!;
}

test('alice signs in to the firm: the access token verifies as a human with audit_read only, from a CORS token request', async () => {
  const p = pkce();
  const code = await codeFor(firm, 'alice', p);
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(code, p), PAGE);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.allowOrigin, PAGE);
  assert.equal(res.body.token_type, 'Bearer');
  assert.equal(res.body.refresh_token, undefined);
  assert.ok(res.body.expires_in! <= 3600);
  const header = decodeProtectedHeader(res.body.access_token!);
  assert.equal(header.typ, 'at+jwt');
  assert.equal(header.alg, 'RS256');

  const identity = await verifier.verify(res.body.access_token);
  assert.deepEqual(identity.actor, { type: 'human', id: 'alice@citi.example', version: null });
  assert.deepEqual(identity.auth.scopes, ['audit_read']); // she asked for more: the directory gives her this
  assert.equal(identity.org, 'firm');
  const claims = decodeJwt(res.body.access_token!);
  assert.equal(claims.aud, tokenAudience());
  assert.ok(claims.exp! - claims.iat! <= 3600);

  const idToken = decodeJwt(res.body.id_token!);
  assert.equal(idToken.sub, 'alice@citi.example');
  assert.equal(idToken.aud, TIMELINE_CLIENT_ID);
  assert.equal(idToken.nonce, 'nonce-1');
  assert.equal(idToken.preferred_username, 'alice'); // the profile scope: the page can say who signed in
});

test('bob signs in from the localhost origin and gets the §7b human scopes', async () => {
  const p = pkce();
  const redirectUri = `${PAGE_LOCALHOST}${TIMELINE_REDIRECT_PATH}`;
  const code = await codeFor(firm, 'bob', p, { redirect_uri: redirectUri });
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(code, p, redirectUri), PAGE_LOCALHOST);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.allowOrigin, PAGE_LOCALHOST);
  const identity = await verifier.verify(res.body.access_token);
  assert.deepEqual(identity.actor, { type: 'human', id: 'bob@citi.example', version: null });
  assert.deepEqual([...identity.auth.scopes].sort(), ['edition_attest', 'fusion_operator', 'vrs_screening_request', 'vrs_screening_review']);
});

test("pat signs in to the partner's IdP (ES256) as the partner's human with audit_read", async () => {
  const identity = await verifier.verify(await signedInToken(partner, 'pat'));
  assert.deepEqual(identity.actor, { type: 'human', id: 'pat@vrs.example', version: null });
  assert.deepEqual(identity.auth.scopes, ['audit_read']);
  assert.equal(identity.org, 'partner');
});

test('a token request from an origin that is not the page gets no CORS permission', async () => {
  const p = pkce();
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(await codeFor(firm, 'alice', p), p), 'http://evil.example');
  assert.equal(res.allowOrigin, null);
  assert.equal(res.body.access_token, undefined);
});

test('PKCE is required: without a code_challenge the page gets an error and no code', async () => {
  const outcome = await signIn(firm.issuer, authorizeParams(undefined), 'alice');
  assert.equal(outcome.kind, 'left-idp');
  const { location } = outcome as { location: URL };
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  assert.match(location.searchParams.get('error_description')!, /requires PKCE/);
  assert.equal(location.searchParams.get('code'), null);
});

test('PKCE plain is refused: S256 only', async () => {
  const p = pkce();
  const outcome = await signIn(firm.issuer, authorizeParams(p, { code_challenge: p.verifier, code_challenge_method: 'plain' }), 'alice');
  assert.equal(outcome.kind, 'left-idp');
  const { location } = outcome as { location: URL };
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  assert.match(location.searchParams.get('error_description')!, /code_challenge_method/);
  assert.equal(location.searchParams.get('code'), null);
});

test('a wrong code_verifier is invalid_grant', async () => {
  const p = pkce();
  const code = await codeFor(firm, 'alice', p);
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(code, { ...p, verifier: pkce().verifier }), PAGE);
  assert.equal(res.status, 400);
  assert.equal(res.body.error, 'invalid_grant');
  assert.equal(res.body.access_token, undefined);
});

test('a code is used once: the second exchange is invalid_grant', async () => {
  const p = pkce();
  const code = await codeFor(firm, 'alice', p);
  assert.equal((await exchangeCode(tokenEndpoint(firm), tokenForm(code, p), PAGE)).status, 200);
  const again = await exchangeCode(tokenEndpoint(firm), tokenForm(code, p), PAGE);
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');
});

test('a page on another loopback port signs in (RFC 8252 §7.3: a dev gateway’s port varies), with CORS for that origin', async () => {
  const other = 'http://127.0.0.1:18089';
  const p = pkce();
  const redirectUri = `${other}${TIMELINE_REDIRECT_PATH}`;
  const code = await codeFor(firm, 'alice', p, { redirect_uri: redirectUri });
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(code, p, redirectUri), other);
  assert.equal(res.allowOrigin, other);
  assert.equal(typeof res.body.access_token, 'string');
});

test('an unregistered redirect_uri is refused on the IdP, never redirected to', async () => {
  const refused = [
    `${PAGE}/ui/elsewhere`,
    `${PAGE}/ui/callback?next=http://evil.example`,
    'https://127.0.0.1:18089/ui/callback',
    'http://127.0.0.1.evil.example:18088/ui/callback',
    'http://evil.example/ui/callback',
  ];
  for (const redirect_uri of refused) {
    const outcome = await signIn(firm.issuer, authorizeParams(pkce(), { redirect_uri }), 'alice');
    assert.equal(outcome.kind, 'page', redirect_uri);
    const { status, html } = outcome as { status: number; html: string };
    assert.equal(status, 400);
    assert.match(html, /<dt>error<\/dt><dd>invalid_redirect_uri<\/dd>/);
  }
});

test('an unknown client is refused on the IdP, never redirected', async () => {
  const outcome = await signIn(firm.issuer, authorizeParams(pkce(), { client_id: 'someone-else' }), 'alice');
  assert.equal(outcome.kind, 'page');
  const { status, html } = outcome as { status: number; html: string };
  assert.equal(status, 400);
  assert.match(html, /<dt>error<\/dt><dd>invalid_client<\/dd>/);
});

test('an unknown user gets the form again with an error (escaped), and no code', async () => {
  const outcome = await signIn(firm.issuer, authorizeParams(pkce()), '<script>mallory</script>');
  assert.equal(outcome.kind, 'page');
  const { status, html } = outcome as { status: number; html: string };
  assert.equal(status, 401);
  assert.match(html, /<p id="sign-in-error" role="alert">No user &quot;&lt;script&gt;mallory&lt;\/script&gt;&quot; in firm\.<\/p>/);
  assert.match(html, /<input id="username"[^>]*value="&lt;script&gt;mallory&lt;\/script&gt;"/);
  assert.match(html, /<button id="sign-in" type="submit">/);
  assert.doesNotMatch(html, /<script>/);
});

test("a person of another organisation is unknown here: pat cannot sign in to the firm's IdP", async () => {
  const outcome = await signIn(firm.issuer, authorizeParams(pkce()), 'pat');
  assert.equal(outcome.kind, 'page');
  assert.equal((outcome as { status: number }).status, 401);
});

test('after /dev/rotate a code-flow token carries the new kid; a token of the old key still verifies', async () => {
  const before = await signedInToken(firm, 'alice');
  const rotated = await fetch(`${firm.issuer}/dev/rotate`, { method: 'POST' });
  const { kid: newKid } = (await rotated.json()) as { kid: string };
  assert.equal(rotated.status, 200);
  assert.notEqual(decodeProtectedHeader(before).kid, newKid);

  const p = pkce();
  const res = await exchangeCode(tokenEndpoint(firm), tokenForm(await codeFor(firm, 'alice', p), p), PAGE);
  assert.equal(decodeProtectedHeader(res.body.access_token!).kid, newKid);
  assert.equal(decodeProtectedHeader(res.body.id_token!).kid, newKid);
  for (const token of [before, res.body.access_token!]) assert.equal((await verifier.verify(token)).actor.id, 'alice@citi.example');

  // /dev/mint signs with the new key too
  const minted = await fetch(`${firm.issuer}/dev/mint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'svc', actor_type: 'service' }) });
  assert.equal(decodeProtectedHeader(((await minted.json()) as { access_token: string }).access_token).kid, newKid);
});
