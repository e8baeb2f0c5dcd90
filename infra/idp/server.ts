/**
 * A dev OIDC issuer: discovery, JWKS, and a loopback-only mint endpoint. Three run in the local stack —
 * the firm's IdP (humans), a partner organisation's IdP (federated SSO) and an internal IdP (services and
 * agents). Usage: node --import tsx infra/idp/server.ts --name firm --port 9401 --keys <dir> [--alg RS256]
 * [--listen 127.0.0.1] [--issuer http://127.0.0.1:9401]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { ensureDir } from '../../config/paths.js';
import { tokenAudience } from '../../config/endpoints.js';
import { IdpKeyStore, type SigningAlg } from './keys.js';
import { signAccessToken, type MintRequest } from './mint.js';

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
  },
});
if (!values.name || !values.port || !values.keys) throw new TypeError('--name, --port and --keys are required');

const port = Number(values.port);
const issuer = values.issuer ?? `http://127.0.0.1:${port}`;
const store = await IdpKeyStore.open(ensureDir(values.keys), values.alg as SigningAlg);

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

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', issuer).pathname;
  if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/dev/mint`,
      grant_types_supported: ['urn:coordination-ledger:dev-mint'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [store.currentKey().alg],
      token_endpoint_auth_methods_supported: ['none'],
    });
  }
  if (req.method === 'GET' && path === '/jwks') return send(res, 200, store.publicJwks());
  if (req.method === 'POST' && path.startsWith('/dev/')) {
    // Minting without credentials is a dev convenience; never reachable from another host.
    if (!values['open-dev-endpoints'] && !isLoopback(req)) return send(res, 403, { error: 'access_denied', error_description: 'dev endpoints are loopback-only' });
    if (path === '/dev/mint') {
      const body = (await readJson(req)) as MintRequest;
      const signing = await store.signingKey();
      const accessToken = await signAccessToken(issuer, tokenAudience(), signing, body);
      return send(res, 200, { access_token: accessToken, token_type: 'Bearer', kid: signing.kid, issuer });
    }
    if (path === '/dev/rotate') return send(res, 200, { kid: await store.rotate(), issuer });
  }
  send(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    const status = err instanceof SyntaxError || (err as { name?: string }).name === 'ZodError' ? 400 : 500;
    send(res, status, { error: status === 400 ? 'invalid_request' : 'server_error', error_description: String((err as Error).message) });
  });
});
server.listen(port, values.listen, () => {
  process.stdout.write(`${JSON.stringify({ msg: 'idp listening', name: values.name, issuer, kid: store.currentKey().kid })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
