/**
 * The auditor's timeline page (gateway/ui): its static assets and its configuration, the only public routes
 * besides /healthz and /openapi.json. They hold no data — every composition, event, export and key the page
 * shows is fetched with the signed-in user's bearer token (gateway/routes/timeline-data.ts).
 *
 * Every answer carries a strict CSP: scripts and styles only from the gateway (no inline code at all), fetches
 * only to the gateway and the IdPs the page signs in with, no framing, no base URL. The page renders data
 * with DOM APIs and textContent only: event payloads are written by whoever emitted them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { trustedIssuers, type TrustedIssuer } from '../../activities/jwt/trusted-issuers.js';
import { temporalNamespace, temporalUiUrl } from '../../config/endpoints.js';
import { lifecycleEdges } from '../../schemas/mermaid.js';
import { START, STATES, TERMINAL_STATES } from '../../schemas/lifecycle.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import { uiAssets, type UiAsset, type UiAssets } from '../ui/bundle.js';
import { GatewayError } from '../errors.js';

/** The OAuth client the page is at the IdPs: public (no secret), PKCE S256, redirect `<origin>/ui/callback`. */
export const UI_CLIENT_ID = 'coord-timeline';
/** What the page asks the IdP for. */
export const UI_SCOPES = 'openid audit_read';

/** The page's public routes (exact Fastify route URLs), for the gateway's public set. */
export const UI_PUBLIC_ROUTES = ['/ui', '/ui/', '/ui/callback', '/ui/app.js', '/ui/app.css', '/ui/config.json'] as const;

/** Only issuers that sign in people are offered on the page. */
const signsInHumans = (issuer: TrustedIssuer) => issuer.actorTypes.includes('human');

function originsOf(issuers: readonly TrustedIssuer[]): string[] {
  const origins = new Set<string>();
  for (const i of issuers) {
    for (const url of [i.issuer, i.discoveryUrl]) {
      if (!url) continue;
      try {
        origins.add(new URL(url).origin);
      } catch {
        /* an issuer that is not a URL is not one a browser can sign in with */
      }
    }
  }
  return [...origins].sort();
}

/** The Content-Security-Policy of every page answer. */
export function uiContentSecurityPolicy(idpOrigins: readonly string[]): string {
  const idps = idpOrigins.join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${idps ? ` ${idps}` : ''}`,
    "img-src 'self' data:",
    `form-action ${idps || "'none'"}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** What the page reads before anyone signs in: public facts only. */
export interface UiConfig {
  client_id: string;
  scopes: string;
  organisations: { name: string; issuer: string; discovery: string }[];
  /** the Temporal Web UI's page for the namespace; a workflow is `<temporal_ui>/workflows/<id>` */
  temporal_ui: string;
  /** the declared lifecycle, from the same edge list as the README diagram (schemas/mermaid.ts) */
  lifecycle: {
    start: string;
    states: readonly string[];
    terminal: readonly string[];
    edges: { from: string; to: string; schema_ids: string[]; labels: string[] }[];
    refusal_schema: string;
  };
}

export function uiConfig(issuers: readonly TrustedIssuer[] = trustedIssuers()): UiConfig {
  return {
    client_id: UI_CLIENT_ID,
    scopes: UI_SCOPES,
    organisations: issuers.filter(signsInHumans).map((i) => ({ name: i.name, issuer: i.issuer, discovery: i.discoveryUrl ?? `${i.issuer.replace(/\/$/, '')}/.well-known/openid-configuration` })),
    temporal_ui: `${temporalUiUrl().replace(/\/$/, '')}/namespaces/${encodeURIComponent(temporalNamespace())}`,
    lifecycle: {
      start: START,
      states: STATES,
      terminal: TERMINAL_STATES,
      edges: lifecycleEdges().map((e) => ({ from: e.from, to: e.to, schema_ids: [...e.schemaIds], labels: [...e.labels] })),
      refusal_schema: SCHEMA_IDS.accessDenied,
    },
  };
}

export function uiRoutes(app: FastifyInstance): void {
  const issuers = trustedIssuers();
  const csp = uiContentSecurityPolicy(originsOf(issuers.filter(signsInHumans)));
  const config = Buffer.from(JSON.stringify(uiConfig(issuers)));
  // Bundled now, while the gateway starts; a page that fails to build answers 503 and the API stays up.
  const assets: Promise<UiAssets | undefined> = uiAssets().catch((err: unknown) => {
    app.log.error({ err }, 'the timeline page did not build; /ui/ answers 503');
    return undefined;
  });

  const secured = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin');

  const send = (request: FastifyRequest, reply: FastifyReply, a: UiAsset) => {
    secured(reply).header('etag', a.etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.contentType).send(a.body);
  };

  const serve = (name: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    const a = (await assets)?.get(name);
    if (!a) throw new GatewayError('ERR_UNAVAILABLE', 'the timeline page is not available (see the gateway log)');
    return send(request, reply, a);
  };

  app.get('/ui', async (_request, reply) => secured(reply).redirect('/ui/', 308));
  app.get('/ui/', serve('index.html'));
  // the IdP sends the browser back here with ?code&state; the same shell finishes the sign-in
  app.get('/ui/callback', serve('index.html'));
  app.get('/ui/app.js', serve('app.js'));
  app.get('/ui/app.css', serve('app.css'));
  app.get('/ui/config.json', async (_request, reply) => secured(reply).header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(config));
}
