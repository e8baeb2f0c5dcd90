/**
 * Signing in: OpenID Connect authorization code flow with PKCE (S256), as a public client (no secret). The
 * access token lives in this module's memory only — a reload signs in again (the IdP's session makes that
 * quick). sessionStorage keeps only what must survive the trip to the IdP: the PKCE verifier, state, nonce,
 * the issuer and the route to return to; it is removed as soon as the IdP's answer is used.
 */
import { loc, pageHistory, session } from './browser.js';
import type { Organisation, UiConfig } from './config.js';

const PENDING_KEY = 'coord-timeline-signin';

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  issuer: string;
  /** the hash route to go back to, e.g. `#/compositions/cmp_…` */
  route: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

let accessToken: string | undefined;
let signedInAs: { name: string; org: string } | undefined;

export const token = (): string | undefined => accessToken;
export const who = () => signedInAs;

export function forget(): void {
  accessToken = undefined;
  signedInAs = undefined;
}

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomText = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

export const redirectUri = (): string => `${loc().origin}/ui/callback`;

async function discover(org: Pick<Organisation, 'discovery' | 'issuer'>): Promise<Discovery> {
  const res = await fetch(org.discovery);
  if (!res.ok) throw new Error(`the IdP's discovery document answered ${res.status}`);
  const doc = (await res.json()) as Discovery;
  if (doc.issuer !== org.issuer) throw new Error(`the discovery document names issuer ${doc.issuer}, not ${org.issuer}`);
  return doc;
}

/** Leaves for the IdP's login page; comes back to /ui/callback. */
export async function signIn(config: UiConfig, org: Organisation, route: string): Promise<void> {
  const idp = await discover(org);
  const pending: Pending = { verifier: randomText(), state: randomText(), nonce: randomText(), issuer: org.issuer, route };
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier))));
  session().setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(idp.authorization_endpoint);
  const params = { response_type: 'code', client_id: config.client_id, redirect_uri: redirectUri(), scope: config.scopes, state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  loc().assign(url.toString());
}

/** The claims of a JWT, unverified: only to show who signed in and to check the ID token's nonce (the gateway verifies the access token). */
function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/**
 * On /ui/callback: exchanges the code for tokens, then puts the address back to `/ui/<route>` (no code in
 * the address bar or history). Returns the route to show.
 */
export async function completeSignIn(config: UiConfig): Promise<string> {
  const params = new URLSearchParams(loc().search);
  const raw = session().getItem(PENDING_KEY);
  session().removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
  const back = (route: string) => {
    pageHistory().replaceState(null, '', `/ui/${route}`);
    return route;
  };
  if (!pending) return back('#/compositions');
  if (params.get('error')) throw new Error(`the IdP refused the sign-in: ${params.get('error')} ${params.get('error_description') ?? ''}`.trim());
  if (params.get('state') !== pending.state) throw new Error('the sign-in answer does not match the request (state); sign in again');
  // RFC 9207: the answer names its issuer; one from another IdP than the one asked (a mix-up attack) is refused
  const answeredBy = params.get('iss');
  if (answeredBy !== null && answeredBy !== pending.issuer) throw new Error(`the sign-in answer comes from ${answeredBy}, not from ${pending.issuer}; sign in again`);
  const org = config.organisations.find((o) => o.issuer === pending.issuer);
  if (!org) throw new Error('the sign-in came back from an issuer the page does not offer');
  const idp = await discover(org);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: redirectUri(), client_id: config.client_id, code_verifier: pending.verifier });
  const res = await fetch(idp.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const answer = (await res.json()) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!res.ok || !answer.access_token) throw new Error(`the IdP did not issue a token: ${answer.error ?? res.status} ${answer.error_description ?? ''}`.trim());
  if (answer.id_token && claimsOf(answer.id_token).nonce !== pending.nonce) throw new Error('the ID token does not carry this sign-in\'s nonce');
  accessToken = answer.access_token;
  const claims = claimsOf(accessToken);
  signedInAs = { name: String(claims.sub ?? 'unknown'), org: org.name };
  // only a route of this page goes back into the address bar
  return back(/^#\/[A-Za-z0-9_/-]*$/.test(pending.route) ? pending.route : '#/compositions');
}
