// Proves the dev IdPs are real OIDC issuers: discovery → JWKS → jose verifies their tokens; a foreign key fails.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { IDP_NAMES, idpEndpoint, tokenAudience, type IdpName } from '../../config/endpoints.js';
import { mintToken, rotateKey } from '../../infra/idp/client.js';
import { stackReady } from '../helpers/stack.js';

before(stackReady);

async function discover(name: IdpName) {
  const res = await fetch(`${idpEndpoint(name).address}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  return (await res.json()) as { issuer: string; jwks_uri: string };
}

for (const name of IDP_NAMES) {
  test(`${name} IdP: discovery → JWKS → a minted token verifies with jose`, async () => {
    const { issuer, jwks_uri } = await discover(name);
    assert.equal(issuer, idpEndpoint(name).address);
    const token = await mintToken(name, { sub: 'user_smith@citi.example', scope: ['fusion_operator', 'vrs_screening_request'], actor_type: 'human' });
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(jwks_uri)), { issuer, audience: tokenAudience() });
    assert.equal(payload.sub, 'user_smith@citi.example');
    assert.equal(payload.scope, 'fusion_operator vrs_screening_request');
    assert.equal(payload.actor_type, 'human');
    assert.ok(protectedHeader.kid);
  });
}

test('delegation: --act puts the acting party in an RFC 8693 act claim', async () => {
  const token = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: 'lease_claim' });
  assert.deepEqual(decodeJwt(token).act, { sub: 'service_acct_axonis_screener' });
});

test('a token signed by a fourth, untrusted key fails verification', async () => {
  const { issuer, jwks_uri } = await discover('firm');
  const genuine = await mintToken('firm', { sub: 'user_smith@citi.example', scope: 'fusion_operator' });
  const { kid, alg } = decodeProtectedHeader(genuine);
  const rogue = await generateKeyPair('RS256');
  // Same issuer, same kid, same claims: only the key differs.
  const forged = await new SignJWT(decodeJwt(genuine)).setProtectedHeader({ alg: alg!, kid: kid! }).sign(rogue.privateKey);
  await assert.rejects(jwtVerify(forged, createRemoteJWKSet(new URL(jwks_uri)), { issuer, audience: tokenAudience() }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
});

test('key rotation: the new kid signs, tokens of the previous kid still verify', async () => {
  const { issuer, jwks_uri } = await discover('partner');
  const before = await mintToken('partner', { sub: 'participant@vrs.example', scope: 'psi_participant' });
  const newKid = await rotateKey('partner');
  const after = await mintToken('partner', { sub: 'participant@vrs.example', scope: 'psi_participant' });
  assert.equal(decodeProtectedHeader(after).kid, newKid);
  assert.notEqual(decodeProtectedHeader(before).kid, newKid);
  const jwks = createRemoteJWKSet(new URL(jwks_uri));
  for (const token of [before, after]) await jwtVerify(token, jwks, { issuer, audience: tokenAudience() });
});
