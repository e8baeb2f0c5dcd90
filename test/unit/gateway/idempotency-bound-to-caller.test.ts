// An Idempotency-Key belongs to its caller: the key handed to Temporal (update id, signal request id) is
// derived from the verified caller and the key, so another caller's request with the same key is another
// request, and a token that does not verify can never land on a genuine caller's key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearer, fakeGateway, TOKENS } from './fakes.js';

const ID = 'cmp_01UNITTEST';
const KEY = 'retry-me-42';
const claim = { payload: { lease_window_seconds: 600 } };

async function keysSeen(token: string, times = 1) {
  const { app, recorded } = await fakeGateway();
  for (let i = 0; i < times; i++) {
    const res = await app.inject({ method: 'POST', url: `/compositions/${ID}/claim`, payload: claim, headers: { ...bearer(token), 'idempotency-key': KEY } });
    assert.equal(res.statusCode, 200, res.body);
  }
  return recorded.calls.map((c) => (c.args[4] as { idempotencyKey?: string }).idempotencyKey);
}

test('the same caller retrying with a key gets the same Temporal key; it is not the raw key', async () => {
  const [first, second] = await keysSeen(TOKENS.smith, 2);
  assert.ok(first, 'a key was passed on');
  assert.equal(first, second);
  assert.notEqual(first, KEY, 'the raw key is never used as is');
});

test('another caller with the same key is another request', async () => {
  const [smith] = await keysSeen(TOKENS.smith);
  const [jones] = await keysSeen(TOKENS.jones);
  assert.notEqual(smith, jones);
});

test("a token claiming Smith's iss/sub that does not verify can never poison Smith's key", async () => {
  const [smith] = await keysSeen(TOKENS.smith);
  const [forged] = await keysSeen(TOKENS.forgedAsSmith);
  assert.ok(forged);
  assert.notEqual(forged, smith);
});

test("a signal-mode attestation's request id is bound to the caller too", async () => {
  const ids: unknown[] = [];
  for (const token of [TOKENS.smith, TOKENS.jones]) {
    const { app, recorded } = await fakeGateway();
    const res = await app.inject({
      method: 'POST',
      url: `/compositions/${ID}/attest`,
      payload: { mode: 'signal', payload: { decision: 'matches_attested_for_action', edition_id: 'ed', evidence_block_ref: 'blk' } },
      headers: { ...bearer(token), 'idempotency-key': KEY },
    });
    assert.equal(res.statusCode, 202, res.body);
    ids.push(recorded.calls[0]!.args[3]);
  }
  assert.notEqual(ids[0], KEY);
  assert.notEqual(ids[0], ids[1]);
});

test('an opening with a key is bound to its caller', async () => {
  const keys: unknown[] = [];
  for (const token of [TOKENS.smith, TOKENS.jones]) {
    const { app, recorded } = await fakeGateway();
    const res = await app.inject({
      method: 'POST',
      url: '/compositions',
      payload: { composition_id: ID, composition_type: 'vrs_screening', payload: { lens_id: 'l', lens_version: '1' } },
      headers: { ...bearer(token), 'idempotency-key': KEY },
    });
    assert.equal(res.statusCode, 201, res.body);
    keys.push((recorded.calls.find((c) => c.method === 'start')!.args[2] as { idempotencyKey?: string }).idempotencyKey);
  }
  assert.ok(keys[0]);
  assert.notEqual(keys[0], KEY);
  assert.notEqual(keys[0], keys[1]);
});
