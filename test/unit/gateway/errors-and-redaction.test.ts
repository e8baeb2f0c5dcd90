// One mapping from stable codes to HTTP statuses; the codec view never shows a bearer token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpStatusOf } from '../../../gateway/errors.js';
import { redactTokens } from '../../../gateway/routes/codec.js';
import { redactUrlTokens } from '../../../audit/redact-tokens.js';
import { REASON_CODES } from '../../../schemas/reason-codes.js';

test('every reason code maps to its HTTP status', () => {
  const expected: Record<string, number> = {
    ERR_JWT_MISSING: 401, ERR_JWT_MALFORMED: 401, ERR_JWT_EXPIRED: 401, ERR_JWT_NOT_YET_VALID: 401, ERR_JWT_ISSUER_UNTRUSTED: 401,
    ERR_JWT_AUDIENCE: 401, ERR_JWT_ALGORITHM: 401, ERR_JWT_UNKNOWN_KID: 401, ERR_JWT_SIGNATURE: 401, ERR_JWT_CLAIMS: 401,
    ERR_SCOPE_MISSING: 403, ERR_ABAC_DENY: 403, ERR_ACTOR_TYPE_NOT_ALLOWED: 403, ERR_NOT_LEASE_HOLDER: 403,
    ERR_WRONG_STATE: 409, ERR_LEASE_HELD: 409, ERR_NO_LEASE: 409, ERR_INVALID_PAYLOAD: 422, ERR_UNKNOWN_SCHEMA: 422,
    ERR_JWT_TYPE: 401, ERR_JWT_CRIT: 401, ERR_JWT_LIFETIME: 401, ERR_JWT_ACTOR_TYPE: 403, ERR_EVIDENCE_MISMATCH: 409,
    ERR_CORRECTION_TARGET_FOREIGN: 422, ERR_CORRECTION_TARGET_UNKNOWN: 409, ERR_CORRECTION_OF_CORRECTION: 422, ERR_CORRECTION_TARGET_INVALID: 422,
    ERR_CORRECTION_HASH_MISMATCH: 409,
  };
  assert.deepEqual(Object.keys(expected).sort(), Object.values(REASON_CODES).sort(), 'every reason code is covered');
  for (const [code, status] of Object.entries(expected)) assert.equal(httpStatusOf(code as never), status, code);
  assert.deepEqual(['ERR_NOT_FOUND', 'ERR_COMPOSITION_CLOSED', 'ERR_UNAVAILABLE', 'ERR_BAD_REQUEST'].map((c) => httpStatusOf(c as never)), [404, 409, 503, 400]);
});

test('redaction replaces the token and participant tokens, keeps everything else', () => {
  const decoded = { token: 'eyJ.a.b', payload: { token_count: 3, note: 'token' }, participantTokens: { node_a: 'eyJ.c.d', node_b: 'eyJ.e.f' }, agent: { node_a: 'not a token field here' } };
  assert.deepEqual(redactTokens(decoded), {
    token: '[redacted bearer token]',
    payload: { token_count: 3, note: 'token' },
    participantTokens: { node_a: '[redacted bearer token]', node_b: '[redacted bearer token]' },
    agent: { node_a: 'not a token field here' },
  });
});

test('a request URL keeps its query but not a bearer token in it (by name or by shape)', () => {
  const jwt = ['eyJhbGciOiJFUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'c2ln'].join('.');
  assert.equal(redactUrlTokens('/audit/events?limit=4'), '/audit/events?limit=4', 'nothing to redact: the same string');
  assert.equal(redactUrlTokens('/compositions/cmp_1'), '/compositions/cmp_1');
  assert.equal(redactUrlTokens(`/audit/events?limit=4&access_token=${jwt}`), '/audit/events?limit=4&access_token=%5Bredacted+bearer+token%5D');
  assert.equal(redactUrlTokens('/x?id_token=opaque-value'), '/x?id_token=%5Bredacted+bearer+token%5D', 'named like a token');
  assert.equal(redactUrlTokens(`/x?q=${jwt}`), '/x?q=%5Bredacted+bearer+token%5D', 'shaped like a JWT');
});
