/**
 * A dev IdP as an OpenID provider (oidc-provider, a certified implementation): authorization code with
 * PKCE (S256 only) for one registered public client, the timeline page. Its access tokens are RFC 9068 JWTs
 * the service's verifier accepts unchanged: `typ: at+jwt`, the IdP's algorithm and current key, `aud` =
 * tokenAudience(), `actor_type: human`, the granted `scope`, at most an hour. No refresh tokens, no
 * userinfo: the page keeps its tokens in memory and signs in again.
 *
 * The provider's keystore is fixed when it is built, so the server builds a new one after each key rotation
 * (buildProvider again with the store's keys): the codes, sessions and interactions live in
 * oidc-provider's module-wide memory adapter and the cookie keys are the server's, so a sign-in under way
 * survives the swap.
 */
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { IdpName } from '../../config/endpoints.js';
import { apiScopesOf, personBySub } from './directory.js';
import type { SigningAlg } from './keys.js';
import { escapeHtml } from './login-page.js';

/** The timeline page: a public client (no secret) that runs the code flow in the browser. */
export const TIMELINE_CLIENT_ID = 'coord-timeline';
/** Where the page receives the code, under each gateway origin. */
export const TIMELINE_REDIRECT_PATH = '/ui/callback';
/**
 * The resource indicator (RFC 8707) of this service's API. It must be an absolute URI, which the token
 * audience (`coordination-ledger` by default) need not be; the page may leave it out (it is the default).
 */
export const API_RESOURCE = 'urn:coordination-ledger:api';
/** Longest life of a code-flow access or ID token, in seconds. */
export const TOKEN_TTL_SECONDS = 3600;

/** Loopback hosts: a page served there may use any port (RFC 8252 §7.3), as a dev gateway's port varies. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether an origin may receive the page's code and call the token endpoint: a registered origin, or any
 * port of a loopback host over http (a dev IdP's sign-in is loopback-only anyway). Nothing else: not another
 * path, not another host, not https on a loopback port that was never registered as such.
 */
export function pageOriginAllowed(origin: string, registered: readonly string[]): boolean {
  if (registered.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.origin === origin && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Whether a redirect URI is the page's callback at an allowed origin (exactly the path, no query, no fragment). */
export function pageRedirectAllowed(uri: string, registered: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return url.href === `${url.origin}${TIMELINE_REDIRECT_PATH}` && pageOriginAllowed(url.origin, registered);
}

export interface ProviderOptions {
  issuer: string;
  org: IdpName;
  alg: SigningAlg;
  /** the audience of access tokens (config's tokenAudience()) */
  audience: string;
  /** the store's private JWKs, the current one first (ID tokens are signed with the first of the algorithm) */
  keys: JWK[];
  currentKid: string;
  /** origins of the gateway serving the page: `<origin>/ui/callback` is registered, CORS is allowed */
  redirectOrigins: readonly string[];
  /** signs the provider's cookies; kept across rebuilds so a sign-in under way survives a rotation */
  cookieKeys: string[];
}

export function buildProvider(o: ProviderOptions): Provider {
  const apiScopes = apiScopesOf(o.org);
  const configuration: Configuration = {
    clients: [
      {
        client_id: TIMELINE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: o.redirectOrigins.map((origin) => `${origin}${TIMELINE_REDIRECT_PATH}`),
        id_token_signed_response_alg: o.alg,
      },
    ],
    clientDefaults: { id_token_signed_response_alg: o.alg, grant_types: ['authorization_code'], response_types: ['code'] },
    responseTypes: ['code'],
    // a public client only: it proves possession of the code with PKCE, never with a secret
    clientAuthMethods: ['none'],
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: o.keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: o.cookieKeys },
    scopes: ['openid', ...apiScopes],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    // no userinfo endpoint: with the profile scope the ID token itself names the person (for the page to show)
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        // the page need not repeat the resource at the token endpoint: the code's resource is used
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: apiScopes.join(' '),
            audience: o.audience,
            accessTokenTTL: TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: o.alg, kid: o.currentKid } },
          };
        },
      },
    },
    // only people sign in with a code: their tokens assert a human (the issuer policy decides if that is allowed)
    extraTokenClaims: (_ctx, token) => (token.kind === 'AccessToken' && token.accountId ? { actor_type: 'human' } : undefined),
    issueRefreshToken: () => false,
    // a refusal the IdP cannot send back to the page (unknown client, unregistered redirect): a plain page, escaped
    renderError: (ctx, out) => {
      const rows = Object.entries(out).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(v))}</dd>`).join('');
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head><body><main><h1>Sign-in refused</h1><dl>${rows}</dl></main></body></html>`;
    },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const person = personBySub(o.org, sub);
      if (!person) return undefined;
      return { accountId: person.sub, claims: () => ({ sub: person.sub, name: person.name, preferred_username: person.username }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin, client) => client.clientId === TIMELINE_CLIENT_ID && pageOriginAllowed(origin, o.redirectOrigins),
    routes: { jwks: '/jwks' },
    ttl: {
      AccessToken: TOKEN_TTL_SECONDS,
      IdToken: TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: TOKEN_TTL_SECONDS,
      Grant: TOKEN_TTL_SECONDS,
    },
    enabledJWA: { idTokenSigningAlgValues: [o.alg] },
  };
  const provider = new Provider(o.issuer, configuration);
  // oidc-provider compares redirect URIs exactly (loopback ports vary only for native clients); the page is a
  // web client served by a gateway whose port is the deployment's choice, so loopback origins match any port.
  const registered = o.redirectOrigins;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(this: { clientId: string }, value: string): boolean {
    return this.clientId === TIMELINE_CLIENT_ID && pageRedirectAllowed(value, registered);
  };
  return provider;
}
