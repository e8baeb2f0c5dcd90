// The verifier against every token a hostile caller can bring, with local keys and a frozen clock. Each case
// asserts the stable code (and what the message says): a token problem is always a definitive refusal —
// never a thrown error that would make the activity retry for ever — and only an unreachable IdP is transient.
import assert from 'node:assert/strict';
import { KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { TokenRefusal } from '../../../activities/jwt/refusal.js';
import { trustedIssuerSchema, type TrustedIssuer } from '../../../activities/jwt/trusted-issuers.js';
import { isNetworkFailure, JwtVerifier } from '../../../activities/jwt/verifier.js';

const NOW = 1_800_000_000; // frozen clock (2027-01-15)
const AUDIENCE = 'coordination-ledger';

let server: Server;
let baseUrl: string;
let internal: TrustedIssuer;
let firm: TrustedIssuer;
let eddsa: { privateKey: CryptoKey; kid: string };
let rsa: { privateKey: CryptoKey; kid: string };

/** One local issuer serving discovery and a JWKS for each of its two paths: /internal (EdDSA) and /firm (RS256). */
before(async () => {
  const ed = await generateKeyPair('EdDSA', { extractable: true });
  const rs = await generateKeyPair('RS256', { extractable: true });
  eddsa = { privateKey: ed.privateKey, kid: 'ed-1' };
  rsa = { privateKey: rs.privateKey, kid: 'rs-1' };
  const jwks = {
    internal: { keys: [{ ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA' }] },
    firm: { keys: [{ ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256' }] },
  };
  server = createServer((req, res) => {
    const [, org, ...rest] = (req.url ?? '').split('/') as [string, 'internal' | 'firm', ...string[]];
    const path = rest.join('/');
    res.setHeader('content-type', 'application/json');
    if (path === '.well-known/openid-configuration') return void res.end(JSON.stringify({ issuer: `${baseUrl}/${org}`, jwks_uri: `${baseUrl}/${org}/jwks` }));
    if (path === 'jwks' && jwks[org]) return void res.end(JSON.stringify(jwks[org]));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  internal = trustedIssuerSchema.parse({ name: 'internal', issuer: `${baseUrl}/internal`, actorTypes: ['agent', 'service'], algorithms: ['EdDSA'], maxLifetimeSeconds: 3600 });
  firm = trustedIssuerSchema.parse({ name: 'firm', issuer: `${baseUrl}/firm`, actorTypes: ['human', 'service'], algorithms: ['RS256'], maxLifetimeSeconds: 3600 });
});
after(() => new Promise((r) => server.close(r)));

const verifier = () => new JwtVerifier({ issuers: [internal, firm], audience: AUDIENCE, now: () => NOW, jwksCooldownMs: 0 });

interface MintOptions {
  issuer?: 'internal' | 'firm';
  header?: Record<string, unknown>;
  claims?: JWTPayload;
  /** remove these claims from the defaults */
  without?: string[];
}

async function mint(opts: MintOptions = {}): Promise<string> {
  const org = opts.issuer ?? 'internal';
  const key = org === 'internal' ? eddsa : rsa;
  const claims: JWTPayload = {
    iss: `${baseUrl}/${org}`,
    sub: 'user_smith@citi.example',
    aud: AUDIENCE,
    jti: 'jti_1',
    iat: NOW - 60,
    nbf: NOW - 60,
    exp: NOW + 600,
    scope: 'lease_claim',
    actor_type: org === 'internal' ? 'agent' : 'human',
    ...opts.claims,
  };
  for (const k of opts.without ?? []) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: org === 'internal' ? 'EdDSA' : 'RS256', kid: key.kid, typ: 'at+jwt', ...opts.header } as { alg: string })
    .sign(key.privateKey);
}

async function refused(token: string | Promise<string>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(verifier().verify(await token), (err: unknown) => {
    assert.ok(err instanceof TokenRefusal, `a definitive refusal, not ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('a well-formed token of each issuer verifies, its actor type within what the issuer may assert', async () => {
  const agent = await verifier().verify(await mint({ claims: { client_id: 'agent_vrs_screener_01' } }));
  assert.deepEqual(agent.actor, { type: 'agent', id: 'agent_vrs_screener_01', version: null });
  assert.equal(agent.org, 'internal');
  const human = await verifier().verify(await mint({ issuer: 'firm' }));
  assert.deepEqual(human.actor, { type: 'human', id: 'user_smith@citi.example', version: null });
});

test('typ: an access token must say at+jwt (application/at+jwt too, any case); a plain JWT or an id token is refused', async () => {
  await verifier().verify(await mint({ header: { typ: 'application/AT+JWT' } }));
  await refused(mint({ header: { typ: 'JWT' } }), 'ERR_JWT_TYPE', /at\+jwt/);
  await refused(mint({ header: { typ: undefined } }), 'ERR_JWT_TYPE');
});

test('the algorithm allow-list is per issuer: a firm-signed (RS256) token claiming the internal issuer is refused before any key is used', async () => {
  const token = await new SignJWT({ sub: 'u', jti: 'j', actor_type: 'agent', iat: NOW, exp: NOW + 60, aud: AUDIENCE, iss: `${baseUrl}/internal` })
    .setProtectedHeader({ alg: 'RS256', kid: 'rs-1', typ: 'at+jwt' })
    .sign(rsa.privateKey);
  await refused(token, 'ERR_JWT_ALGORITHM', /not allowed for internal \(allowed: EdDSA\)/);
});

test('a crit header is refused as such, not as a bad algorithm', async () => {
  // jose will not sign a header with a crit it does not know, so this token is assembled by hand
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const [, payload] = (await mint()).split('.');
  const header = b64({ alg: 'EdDSA', kid: 'ed-1', typ: 'at+jwt', crit: ['exp-ext'], 'exp-ext': true });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), KeyObject.from(eddsa.privateKey)).toString('base64url');
  await refused(`${header}.${payload}.${signature}`, 'ERR_JWT_CRIT');
});

test('lifetime: a token living longer than its issuer allows is refused; iat in the future is refused (100 years ahead too)', async () => {
  await refused(mint({ claims: { exp: NOW + 2 * 3600 } }), 'ERR_JWT_LIFETIME', /at most 3600 s/);
  await refused(mint({ claims: { iat: NOW + 600, nbf: NOW - 60, exp: NOW + 900 } }), 'ERR_JWT_NOT_YET_VALID', /issued in the future/);
  await refused(mint({ claims: { iat: NOW + 100 * 365 * 86400, nbf: NOW - 60, exp: NOW + 100 * 365 * 86400 + 60 } }), 'ERR_JWT_NOT_YET_VALID');
});

test('times outside what a Date can hold are refused, never thrown (the token that froze a composition)', async () => {
  await refused(mint({ claims: { exp: 1e20, iat: 1e20 - 60, nbf: NOW - 60 } }), 'ERR_JWT_NOT_YET_VALID');
  await refused(mint({ claims: { exp: 8.64e15, iat: NOW - 60 } }), 'ERR_JWT_LIFETIME');
  await refused(mint({ claims: { iat: -1e20 } }), 'ERR_JWT_LIFETIME');
});

test('claims are checked by type and length: a numeric jti or sub, a 4 KB client_id, a non-string scope', async () => {
  await refused(mint({ claims: { jti: 42 as unknown as string } }), 'ERR_JWT_CLAIMS', /jti/);
  await refused(mint({ claims: { sub: 42 as unknown as string } }), 'ERR_JWT_CLAIMS', /sub/);
  await refused(mint({ claims: { client_id: 'x'.repeat(4096) } }), 'ERR_JWT_CLAIMS', /client_id/);
  await refused(mint({ claims: { scope: ['lease_claim'] as unknown as string } }), 'ERR_JWT_CLAIMS', /scope/);
  await refused(mint({ without: ['jti'] }), 'ERR_JWT_CLAIMS', /jti/);
});

test('a delegation chain deeper than 10 is refused, not cut; every link must be a bounded sub', async () => {
  const chain = (depth: number): JWTPayload => Array.from({ length: depth }, (_, i) => `svc_${i}`).reduceRight<JWTPayload | undefined>((inner, sub) => (inner ? { sub, act: inner } : { sub }), undefined)!;
  const ten = await verifier().verify(await mint({ claims: { act: chain(10) } }));
  assert.equal(ten.auth.delegation_chain.length, 11);
  await refused(mint({ claims: { act: chain(50) } }), 'ERR_JWT_CLAIMS', /deeper than 10/);
  await refused(mint({ claims: { act: { sub: 7 } } }), 'ERR_JWT_CLAIMS', /act/);
});

test('actor types are the issuer’s to assert: the internal IdP cannot mint a human; a delegated token is never a human', async () => {
  await refused(mint({ claims: { actor_type: 'human' } }), 'ERR_JWT_ACTOR_TYPE', /internal may assert agent, service, not human/);
  await refused(mint({ issuer: 'firm', claims: { actor_type: 'agent' } }), 'ERR_JWT_ACTOR_TYPE');
  await refused(mint({ issuer: 'firm', claims: { act: { sub: 'service_acct_axonis_screener' } } }), 'ERR_JWT_ACTOR_TYPE', /never a human/);
});

test('only an unreachable IdP is transient: the error is not a refusal, and it is classified as a network failure', async () => {
  const gone = trustedIssuerSchema.parse({ name: 'gone', issuer: 'http://127.0.0.1:9/gone', actorTypes: ['agent'], algorithms: ['EdDSA'] });
  const token = await new SignJWT({ sub: 'u', jti: 'j', actor_type: 'agent', iat: NOW, exp: NOW + 60, aud: AUDIENCE, iss: gone.issuer })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'ed-1', typ: 'at+jwt' })
    .sign(eddsa.privateKey);
  const err = await new JwtVerifier({ issuers: [gone], audience: AUDIENCE, now: () => NOW, fetchTimeoutMs: 1_000 }).verify(token).then(
    () => assert.fail('verified against an unreachable IdP'),
    (e: unknown) => e,
  );
  assert.equal(err instanceof TokenRefusal, false);
  assert.equal(isNetworkFailure(err), true, String(err));
  assert.equal(isNetworkFailure(new RangeError('Invalid time value')), false, 'a programming error is not an outage');
});
