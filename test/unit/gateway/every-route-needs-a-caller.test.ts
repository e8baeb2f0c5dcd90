// Every route but /healthz and /openapi.json needs a bearer token. Reads of a composition and of a signal's
// outcome are verified and ABAC-decided at the gateway; an action with no token or an unparseable one is
// refused at the gateway (401) and never reaches a workflow; a parseable token is passed on to be recorded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearer, fakeGateway, TOKENS } from './fakes.js';

const ID = 'cmp_01UNITTEST';
const claim = { payload: { lease_window_seconds: 600 } };

test('/healthz and /openapi.json stay public', async () => {
  const { app } = await fakeGateway();
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200);
});

for (const url of [`/compositions/${ID}`, `/compositions/${ID}/signals/req_1`]) {
  test(`GET ${url.replace(ID, '{id}')}: no token → 401 ERR_JWT_MISSING, garbage → 401 ERR_JWT_MALFORMED; nothing read`, async () => {
    const { app, recorded } = await fakeGateway();
    const none = await app.inject({ method: 'GET', url });
    assert.equal(none.statusCode, 401, none.body);
    assert.equal(none.json().error.code, 'ERR_JWT_MISSING');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const garbage = await app.inject({ method: 'GET', url, headers: bearer('not-a-jwt') });
    assert.equal(garbage.statusCode, 401, garbage.body);
    assert.equal(garbage.json().error.code, 'ERR_JWT_MALFORMED');
    const forged = await app.inject({ method: 'GET', url, headers: bearer(TOKENS.forgedAsSmith) });
    assert.equal(forged.statusCode, 401, forged.body);
    assert.equal(forged.json().error.code, 'ERR_JWT_SIGNATURE');
    assert.deepEqual(recorded.calls, [], 'nothing was read from Temporal');
  });
}

test('GET /compositions/{id}: verified, then ABAC (composition_view read): ALLOW 200, DENY 403, no decision 503', async () => {
  const allowed = await fakeGateway();
  const ok = await allowed.app.inject({ method: 'GET', url: `/compositions/${ID}`, headers: bearer(TOKENS.smith) });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().state, 'requested');
  assert.deepEqual(allowed.recorded.abac.map((r) => [r.resource.kind, r.resource.id, r.action, r.principal.id]), [['composition_view', ID, 'read', 'user_smith']]);

  const denied = await fakeGateway({}, () => 'DENY');
  const no = await denied.app.inject({ method: 'GET', url: `/compositions/${ID}`, headers: bearer(TOKENS.smith) });
  assert.equal(no.statusCode, 403, no.body);
  assert.equal(no.json().error.code, 'ERR_ABAC_DENY');
  assert.deepEqual(denied.recorded.calls, [], 'a denied read reads nothing');

  const down = await fakeGateway({}, () => {
    throw new Error('PDP unreachable');
  });
  const unavailable = await down.app.inject({ method: 'GET', url: `/compositions/${ID}`, headers: bearer(TOKENS.smith) });
  assert.equal(unavailable.statusCode, 503, unavailable.body);
  assert.equal(unavailable.json().error.code, 'ERR_UNAVAILABLE');
});

test('GET /compositions/{id}/signals/{request_id}: ABAC action read_signal_outcome', async () => {
  const { app, recorded } = await fakeGateway();
  const res = await app.inject({ method: 'GET', url: `/compositions/${ID}/signals/req_1`, headers: bearer(TOKENS.smith) });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(recorded.abac.map((r) => [r.resource.kind, r.action]), [['composition_view', 'read_signal_outcome']]);
});

for (const [what, headers, code] of [
  ['no token', {}, 'ERR_JWT_MISSING'],
  ['an unparseable token', bearer('not-a-jwt'), 'ERR_JWT_MALFORMED'],
  ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }, 'ERR_JWT_MALFORMED'],
] as const) {
  test(`an action with ${what} → 401 ${code} at the gateway; no workflow is touched`, async () => {
    const { app, recorded } = await fakeGateway();
    for (const request of [
      { url: `/compositions/${ID}/claim`, payload: claim },
      { url: `/compositions/${ID}/attest`, payload: { mode: 'signal', payload: { decision: 'matches_attested_for_action', edition_id: 'ed', evidence_block_ref: 'blk' } } },
      { url: '/compositions', payload: { composition_id: ID, composition_type: 'vrs_screening', payload: { lens_id: 'l', lens_version: '1' } } },
    ]) {
      const res = await app.inject({ method: 'POST', ...request, headers });
      assert.equal(res.statusCode, 401, `${request.url}: ${res.body}`);
      assert.equal(res.json().error.code, code);
      assert.equal(res.json().error.audit_event_id, undefined, 'nothing recorded');
    }
    assert.deepEqual(recorded.calls.map((c) => c.method), [], 'no update, signal or start reached Temporal');
  });
}

test('a parseable token that fails verification is passed on to the workflow, which records the refusal', async () => {
  const { app, recorded } = await fakeGateway();
  const res = await app.inject({ method: 'POST', url: `/compositions/${ID}/claim`, payload: claim, headers: bearer(TOKENS.forgedAsSmith) });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(recorded.calls.map((c) => [c.method, c.args[2]]), [['act', TOKENS.forgedAsSmith]]);
});

test('an IdP that cannot be reached is a 503 at the gateway, not a guess', async () => {
  const { app, recorded } = await fakeGateway();
  const res = await app.inject({ method: 'POST', url: `/compositions/${ID}/claim`, payload: claim, headers: bearer(TOKENS.idpDown) });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'ERR_UNAVAILABLE');
  assert.deepEqual(recorded.calls, []);
});

test('a body over the limit is 413 ERR_PAYLOAD_TOO_LARGE, not 400', async () => {
  const { app } = await fakeGateway();
  const res = await app.inject({ method: 'POST', url: `/compositions/${ID}/claim`, payload: { payload: { note: 'x'.repeat(300 * 1024) } }, headers: bearer(TOKENS.smith) });
  assert.equal(res.statusCode, 413, res.body);
  assert.equal(res.json().error.code, 'ERR_PAYLOAD_TOO_LARGE');
});
