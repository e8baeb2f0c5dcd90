// What the dev IdPs put in a token: RFC 8693 delegation, scopes, actor type, lifetimes (frozen clock).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { signAccessToken } from '../../infra/idp/mint.js';
import { parseDuration } from '../../cli/output.js';

const NOW = 1_777_557_300; // 2026-04-30T13:55:00Z, frozen
const issuer = 'http://127.0.0.1:9401';

async function signer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { signing: { key: privateKey, kid: 'k1', alg: 'ES256' }, publicKey };
}

test('claims: iss, sub, aud, scope as a space-separated string, actor_type, jti, iat/nbf/exp from the frozen clock', async () => {
  const { signing } = await signer();
  const token = await signAccessToken(issuer, 'coordination-ledger', signing, { sub: 'user_smith@citi.example', scope: ['fusion_operator', 'vrs_screening_request'], actor_type: 'human', ttl_seconds: 7200 }, NOW);
  const claims = decodeJwt(token);
  assert.equal(claims.iss, issuer);
  assert.equal(claims.sub, 'user_smith@citi.example');
  assert.equal(claims.aud, 'coordination-ledger');
  assert.equal(claims.scope, 'fusion_operator vrs_screening_request');
  assert.equal(claims.actor_type, 'human');
  assert.match(claims.jti!, /^jti_[0-9a-f]{32}$/);
  assert.deepEqual([claims.iat, claims.nbf, claims.exp], [NOW, NOW, NOW + 7200]);
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: 'k1', typ: 'at+jwt' });
});

test('act: a delegation chain nests current actor first (RFC 8693 §4.1)', async () => {
  const { signing } = await signer();
  const token = await signAccessToken(issuer, 'aud', signing, { sub: 'user_smith@citi.example', act: ['agent_vrs_screener_01', 'service_acct_axonis_screener'] }, NOW);
  assert.deepEqual(decodeJwt(token).act, { sub: 'agent_vrs_screener_01', act: { sub: 'service_acct_axonis_screener' } });
});

test('reserved claims cannot be overridden through extra claims', async () => {
  const { signing } = await signer();
  const token = await signAccessToken(issuer, 'aud', signing, { sub: 's', claims: { iss: 'http://evil', actor_type: 'human', org: 'citi' } }, NOW);
  const claims = decodeJwt(token);
  assert.equal(claims.iss, issuer);
  assert.equal(claims.actor_type, undefined);
  assert.equal(claims.org, 'citi');
});

test('a negative ttl mints an already-expired token; jose rejects it with ERR_JWT_EXPIRED', async () => {
  const { signing, publicKey } = await signer();
  const token = await signAccessToken(issuer, 'aud', signing, { sub: 's', ttl_seconds: -300 }, Math.floor(Date.now() / 1000));
  await assert.rejects(jwtVerify(token, publicKey, { issuer, audience: 'aud' }), { code: 'ERR_JWT_EXPIRED' });
});

test('durations: seconds, s/m/h/d suffixes and negatives; nonsense is a usage error', () => {
  assert.deepEqual(['3600', '90s', '30m', '2h', '1d', '-5m'].map(parseDuration), [3600, 90, 1800, 7200, 86400, -300]);
  assert.throws(() => parseDuration('soon'), /not a duration: "soon"/);
});
