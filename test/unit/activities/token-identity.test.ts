// From verified claims to actor and auth block: actor type from the token, RFC 8693 delegation, RFC 9068 client_id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromClaims } from '../../../activities/jwt/identity.js';
import { type TokenRefusal } from '../../../activities/jwt/refusal.js';

const INTERNAL = { name: 'internal', actorTypes: ['agent', 'service'] as const } as { name: string; actorTypes: ('human' | 'agent' | 'service')[] };
const FIRM = { name: 'firm', actorTypes: ['human', 'service'] } as { name: string; actorTypes: ('human' | 'agent' | 'service')[] };
const ANY = { name: 'firm', actorTypes: ['human', 'agent', 'service'] } as { name: string; actorTypes: ('human' | 'agent' | 'service')[] };
const base = { iss: 'http://127.0.0.1:9403', jti: 'jti_1', iat: 1_777_557_600, exp: 1_777_561_200, scope: 'fusion_operator lease_claim' };

test('an agent acting for a user through a service account: the seed §7b.3 shape', () => {
  const identity = identityFromClaims(
    { ...base, sub: 'user_smith@citi.example', act: { sub: 'service_acct_axonis_screener' }, actor_type: 'agent', client_id: 'agent_vrs_screener_01', software_version: '1.4.2' },
    INTERNAL,
  );
  assert.deepEqual(identity, {
    org: 'internal',
    actor: { type: 'agent', id: 'agent_vrs_screener_01', version: '1.4.2' },
    auth: {
      jwt_jti: 'jti_1',
      subject: 'service_acct_axonis_screener',
      scopes: ['fusion_operator', 'lease_claim'],
      issuer: 'http://127.0.0.1:9403',
      issued_at: '2026-04-30T14:00:00.000Z',
      expires_at: '2026-04-30T15:00:00.000Z',
      delegation_chain: ['service_acct_axonis_screener', 'user_smith@citi.example'],
    },
  });
});

test('a human is the subject; a client_id (the web app) does not become the actor; version is null', () => {
  const identity = identityFromClaims({ ...base, sub: 'user_smith@citi.example', actor_type: 'human', client_id: 'firm-portal', software_version: '9.9.9' }, FIRM);
  assert.deepEqual(identity.actor, { type: 'human', id: 'user_smith@citi.example', version: null });
  assert.deepEqual(identity.auth.delegation_chain, ['user_smith@citi.example']);
});

test('a nested act claim is a chain, current actor first', () => {
  const identity = identityFromClaims({ ...base, sub: 'u', act: { sub: 'svc_a', act: { sub: 'svc_b' } }, actor_type: 'service' }, INTERNAL);
  assert.deepEqual(identity.auth.delegation_chain, ['svc_a', 'svc_b', 'u']);
  assert.equal(identity.actor.id, 'svc_a');
});

test('no actor_type claim (or an unknown one) is refused: the type never comes from a request body', () => {
  for (const actor_type of [undefined, 'robot', 42]) {
    assert.throws(() => identityFromClaims({ ...base, sub: 'u', actor_type }, ANY), (err: TokenRefusal) => err.code === 'ERR_JWT_CLAIMS');
  }
});
