// Every way a well-formed bearer token can be wrong is a 401 with its own code, changes no state, and — the
// composition existing — is recorded as access_denied with the token's unverified claims as hints (never the
// token). A missing or non-JWT token never reaches the workflow (gateway-callers.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, type JWK } from 'jose';
import { idpEndpoint, tokenAudience } from '../../config/endpoints.js';
import { mintToken } from '../../infra/idp/client.js';
import { AGENT_BLOCK, compositionAtStep, view } from '../helpers/compositions.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

let compositionId: string;
const fx = gatewayFixture('tokens', async ({ http, tokens }) => {
  compositionId = await compositionAtStep(http, tokens, 1);
});

const agentClaims = { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent' as const, scope: ['fusion_operator', 'lease_claim'], claims: { client_id: 'agent_vrs_screener_01' } };
const now = () => Math.floor(Date.now() / 1000);

/** A structurally valid access token signed by whatever key (and header) we like. */
async function forge(header: Record<string, unknown>, claims: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0]) {
  return new SignJWT(claims).setProtectedHeader({ typ: 'at+jwt', ...header } as unknown as { alg: string }).sign(key);
}

const validClaims = (iss: string) => ({ iss, sub: 'user_smith@citi.example', aud: tokenAudience(), iat: now(), nbf: now(), exp: now() + 600, jti: `jti_forged_${now()}`, actor_type: 'agent', scope: 'fusion_operator lease_claim', client_id: 'agent_vrs_screener_01' });

async function firmPublicJwk(): Promise<JWK> {
  const { keys } = (await (await fetch(`${idpEndpoint('firm').address}/jwks`)).json()) as { keys: JWK[] };
  return keys.at(-1)!;
}

const cases: { name: string; code: string; token: () => Promise<string> }[] = [
  { name: 'expired', code: 'ERR_JWT_EXPIRED', token: () => mintToken('internal', { ...agentClaims, ttl_seconds: -120 }) },
  { name: 'not yet valid', code: 'ERR_JWT_NOT_YET_VALID', token: () => mintToken('internal', { ...agentClaims, nbf_offset_seconds: 600 }) },
  { name: 'wrong audience', code: 'ERR_JWT_AUDIENCE', token: () => mintToken('internal', { ...agentClaims, aud: 'some-other-service' }) },
  {
    name: 'wrong issuer (not on the allow-list)',
    code: 'ERR_JWT_ISSUER_UNTRUSTED',
    token: async () => forge({ alg: 'ES256', kid: 'rogue' }, validClaims('http://127.0.0.1:9999'), (await generateKeyPair('ES256')).privateKey),
  },
  {
    name: 'alg none',
    code: 'ERR_JWT_ALGORITHM',
    token: async () => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(validClaims(idpEndpoint('internal').address)))}.`,
  },
  {
    name: 'HS256 signed with the issuer public key',
    code: 'ERR_JWT_ALGORITHM',
    token: async () => {
      const jwk = await firmPublicJwk();
      const pem = await exportSPKI((await importJWK(jwk, 'RS256')) as Parameters<typeof exportSPKI>[0]);
      return forge({ alg: 'HS256', kid: jwk.kid }, validClaims(idpEndpoint('firm').address), new TextEncoder().encode(pem));
    },
  },
  {
    name: 'unknown kid',
    code: 'ERR_JWT_UNKNOWN_KID',
    token: async () => forge({ alg: 'RS256', kid: 'a-key-nobody-published' }, validClaims(idpEndpoint('firm').address), (await generateKeyPair('RS256')).privateKey),
  },
  {
    name: 'tampered (scope widened after signing)',
    code: 'ERR_JWT_SIGNATURE',
    token: async () => {
      const genuine = await mintToken('internal', { ...agentClaims, scope: ['fusion_operator'] });
      const [h, , s] = genuine.split('.');
      const widened = { ...decodeJwt(genuine), scope: 'fusion_operator lease_claim' };
      return `${h}.${base64url.encode(JSON.stringify(widened))}.${s}`;
    },
  },
  // No token at all is refused at the gateway and recorded nowhere: test/integration/gateway-callers.test.ts
];

for (const c of cases) {
  test(`${c.name} token → 401 ${c.code}, recorded, no state change`, async () => {
    const token = await c.token();
    const before = await view(fx.http, compositionId);
    const reply = await fx.http.post<{ error: { code: string; audit_event_id: string } }>(`/compositions/${compositionId}/claim`, token || undefined, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK });
    assert.equal(reply.status, 401, JSON.stringify(reply.body));
    assert.equal(reply.body.error.code, c.code);
    const after = await view(fx.http, compositionId);
    assert.deepEqual([after.state, after.lease], [before.state, before.lease]);
    assert.equal(after.sequence, before.sequence + 1, 'only the refusal was recorded');

    const denied = distinct(await topicEvents(compositionId)).find((e) => e.event_id === reply.body.error.audit_event_id)!;
    assert.equal(denied.schema_id, 'coordination.access_denied.v1');
    assert.equal((denied.payload as { reason_code: string }).reason_code, c.code);
    assert.equal(denied.auth, null, 'an unverified caller has no auth block');
    assert.equal(denied.actor.id, 'coordination-ledger');
    if (token) {
      assert.ok(!JSON.stringify(denied).includes(token), 'the token itself is not in the topic');
      const hints = (denied.payload as { unverified?: { kid?: string } }).unverified;
      if (c.code !== 'ERR_JWT_MALFORMED') assert.equal(hints?.kid, decodeProtectedHeader(token).kid);
    }
  });
}

test('a token from a trusted issuer after key rotation still verifies (kid rotation)', async () => {
  const rotated = await fetch(`${idpEndpoint('internal').address}/dev/rotate`, { method: 'POST' });
  assert.equal(rotated.status, 200);
  const token = await mintToken('internal', agentClaims);
  const id = await compositionAtStep(fx.http, fx.tokens, 1);
  const reply = await fx.http.post(`/compositions/${id}/claim`, token, { payload: { lease_window_seconds: 600 }, agent: AGENT_BLOCK });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
});
