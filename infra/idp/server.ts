/**
 * A dev OpenID provider. Three run in the local stack — the firm's IdP (humans), a partner organisation's
 * IdP (federated SSO) and an internal IdP (services and agents). Each serves:
 * - OpenID Connect (oidc-provider, provider.ts): discovery, authorization code + PKCE for the timeline page,
 *   the token endpoint; its sign-in and consent steps are interactions.ts (loopback-only, no password);
 * - `/jwks`: the key store's public keys (the current one and the ones it replaced, for rotation);
 * - loopback-only `POST /dev/mint` (a token for any subject, for services and tests: `coord token mint`) and
 *   `POST /dev/rotate` (a new current key; the provider is rebuilt to sign with it).
 * Usage: node --import tsx infra/idp/server.ts --name firm --port 9401 --keys <dir> [--alg RS256]
 * [--listen 127.0.0.1] [--issuer http://127.0.0.1:9401] [--redirect-origins http://127.0.0.1:8088,...]
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { errors } from 'oidc-provider';
import { ensureDir } from '../../config/paths.js';
import { IDP_NAMES, gatewayOrigins, tokenAudience, type IdpName } from '../../config/endpoints.js';
import { handleInteraction } from './interactions.js';
import { IdpKeyStore, type SigningAlg } from './keys.js';
import { signAccessToken, type MintRequest } from './mint.js';
import { buildProvider } from './provider.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string' },
    keys: { type: 'string' },
    alg: { type: 'string', default: 'ES256' },
    // In a container the server listens on 0.0.0.0 while clients still reach it as 127.0.0.1:<port>.
    listen: { type: 'string', default: '127.0.0.1' },
    issuer: { type: 'string' },
    // Docker's port mapping makes host requests arrive from the bridge, not loopback (compose file only).
    'open-dev-endpoints': { type: 'boolean', default: false },
    // The gateway origins whose `/ui/callback` may receive codes (comma-separated); default: the configured gateway's.
    'redirect-origins': { type: 'string' },
  },
});
if (!values.name || !values.port || !values.keys) throw new TypeError('--name, --port and --keys are required');
if (!IDP_NAMES.includes(values.name as IdpName)) throw new TypeError(`--name must be one of ${IDP_NAMES.join(', ')}`);

const org = values.name as IdpName;
const port = Number(values.port);
const issuer = values.issuer ?? `http://127.0.0.1:${port}`;
const store = await IdpKeyStore.open(ensureDir(values.keys), values.alg as SigningAlg);
const redirectOrigins = values['redirect-origins']?.split(',').map((o) => o.trim()).filter(Boolean) ?? gatewayOrigins();
for (const origin of redirectOrigins) if (new URL(origin).origin !== origin) throw new TypeError(`--redirect-origins: ${origin} is not an origin`);
// the provider's cookies only have to outlive this process: a restart ends sign-ins under way anyway
const cookieKeys = [randomBytes(32).toString('base64url')];

function currentProvider() {
  return buildProvider({ issuer, org, alg: store.currentKey().alg, audience: tokenAudience(), keys: store.signingJwks(), currentKid: store.currentKey().kid, redirectOrigins, cookieKeys });
}
let provider = currentProvider();
let providerCallback = provider.callback();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

const isLoopback = (req: IncomingMessage) => ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
// Minting and signing in without credentials are dev conveniences; never reachable from another host.
const devAllowed = (req: IncomingMessage) => values['open-dev-endpoints'] || isLoopback(req);

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', issuer).pathname;
  if (req.method === 'GET' && path === '/jwks') {
    res.setHeader('access-control-allow-origin', '*'); // public keys: the page may check an ID token
    return send(res, 200, store.publicJwks());
  }
  if (req.method === 'POST' && path.startsWith('/dev/')) {
    if (!devAllowed(req)) return send(res, 403, { error: 'access_denied', error_description: 'dev endpoints are loopback-only' });
    if (path === '/dev/mint') {
      const body = (await readJson(req)) as MintRequest;
      const signing = await store.signingKey();
      const accessToken = await signAccessToken(issuer, tokenAudience(), signing, body);
      return send(res, 200, { access_token: accessToken, token_type: 'Bearer', kid: signing.kid, issuer });
    }
    if (path === '/dev/rotate') {
      const kid = await store.rotate();
      provider = currentProvider(); // its keystore is fixed at construction: the new key needs a new provider
      providerCallback = provider.callback();
      return send(res, 200, { kid, issuer });
    }
    return send(res, 404, { error: 'not_found' });
  }
  if (path === '/interaction' || path.startsWith('/interaction/')) {
    if (!devAllowed(req)) return send(res, 403, { error: 'access_denied', error_description: 'the dev sign-in is loopback-only' });
    return handleInteraction(provider, org, req, res, path);
  }
  await providerCallback(req, res);
}

function statusOf(err: unknown): number {
  if (err instanceof errors.SessionNotFound) return 400; // an interaction without its cookie, or expired
  if (err instanceof RangeError || err instanceof SyntaxError || (err as { name?: string }).name === 'ZodError') return 400;
  return 500;
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    const status = statusOf(err);
    if (res.headersSent) return void res.destroy();
    send(res, status, { error: status === 400 ? 'invalid_request' : 'server_error', error_description: String((err as Error).message) });
  });
});
server.listen(port, values.listen, () => {
  process.stdout.write(`${JSON.stringify({ msg: 'idp listening', name: org, issuer, kid: store.currentKey().kid, redirectOrigins })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
