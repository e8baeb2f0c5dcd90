/**
 * The authorization code flow with PKCE driven from Node as a browser would drive it: follow the IdP's
 * redirects with its cookies, fill in the sign-in form, stop at the first redirect that leaves the IdP
 * (the page's callback) — or at the first page that is not a redirect (a refusal, the form again).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** RFC 7636 S256: challenge = BASE64URL(SHA-256(verifier)). */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** What a browser keeps between requests to the IdP (names only: the IdP's cookie paths are all under its origin). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    return res;
  }
}

export type SignInOutcome =
  /** the IdP sent the browser on to another origin: the page's callback with `code` or `error` */
  | { kind: 'left-idp'; location: URL }
  /** the IdP answered with a page and no redirect */
  | { kind: 'page'; status: number; html: string };

/** Starts at the authorization endpoint with `params`, signs in as `username` when the form appears. */
export async function signIn(issuer: string, params: Record<string, string>, username: string): Promise<SignInOutcome> {
  const jar = new CookieJar();
  let url = new URL(`${issuer}/auth?${new URLSearchParams(params)}`);
  let res = await jar.fetch(url);
  let submitted = false;
  for (let hop = 0; hop < 20; hop++) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      if (url.origin !== new URL(issuer).origin) return { kind: 'left-idp', location: url };
      res = await jar.fetch(url);
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || submitted) return { kind: 'page', status: res.status, html };
    submitted = true;
    url = new URL(action, url);
    res = await jar.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username }).toString() });
  }
  throw new Error(`more than 20 redirects from ${issuer}`);
}

export interface TokenResponse {
  status: number;
  body: { access_token?: string; id_token?: string; refresh_token?: string; expires_in?: number; scope?: string; token_type?: string; error?: string; error_description?: string };
  allowOrigin: string | null;
}

/** The token request the page makes with fetch (a CORS request from its origin). */
export async function exchangeCode(tokenEndpoint: string, form: Record<string, string>, origin: string): Promise<TokenResponse> {
  const res = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as TokenResponse['body'], allowOrigin: res.headers.get('access-control-allow-origin') };
}
