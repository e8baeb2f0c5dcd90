// The Restate variant's journal value codec (bench/restate/sealed-codec.ts): round trip, rotation by key id,
// tampering and unknown keys refused, empty values left empty; and its driver maps each §7b step to the
// action (handler) that emits it, with the token inside the body it seals.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { vrsScreeningSteps } from '../../../audit/examples/vrs-screening.js';
import { actionFor, stepRequest } from '../../../bench/lib/restate-variant.js';
import { SealedCodec } from '../../../bench/restate/sealed-codec.js';
import { SCHEMA_IDS } from '../../../schemas/schema-ids.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const plain = Buffer.from(JSON.stringify({ token: 'eyJhbGciOi.secret.sig', payload: { lens_id: 'x' } }));

test('encode seals: the token is not in the bytes; open restores them exactly', () => {
  const codec = new SealedCodec({ current: 'k1', keys: new Map([['k1', k1]]) });
  const sealed = codec.encode(plain);
  assert.ok(!Buffer.from(sealed).toString('latin1').includes('secret'));
  assert.deepEqual(Buffer.from(codec.open(sealed)), plain);
  assert.notDeepEqual(Buffer.from(codec.encode(plain)), Buffer.from(sealed), 'a fresh IV each time');
});

test('after rotation, values sealed with the old key still open; new ones use the new key', async () => {
  const old = new SealedCodec({ current: 'k1', keys: new Map([['k1', k1]]) }).encode(plain);
  const rotated = new SealedCodec({ current: 'k2', keys: new Map([['k1', k1], ['k2', k2]]) });
  assert.deepEqual(Buffer.from(await rotated.journalValueCodec().decode(old)), plain);
  assert.throws(() => new SealedCodec({ current: 'k1', keys: new Map([['k1', k1]]) }).open(rotated.encode(plain)), /unknown codec key "k2"/);
});

test('a flipped bit or a cut value fails loudly; an empty value stays empty', () => {
  const codec = new SealedCodec({ current: 'k1', keys: new Map([['k1', k1]]) });
  const sealed = Buffer.from(codec.encode(plain));
  sealed[sealed.length - 20]! ^= 1;
  assert.throws(() => codec.open(sealed), /authenticate/);
  assert.throws(() => codec.open(sealed.subarray(0, 10)), /too short/);
  assert.equal(codec.encode(new Uint8Array()).length, 0);
  assert.equal(codec.open(new Uint8Array()).length, 0);
  assert.throws(() => new SealedCodec({ current: 'k1', keys: new Map([['k1', randomBytes(16)]]) }), /32 bytes/);
});

test("each §7b step goes to the action that emits it, with its actor's token and the fields the gateway would send", () => {
  const tokens = { human: 'h', agent: 'a', fusionPipeline: 'f', beacon: 'b', partnerParticipant: 'p', firmParticipant: 'n' };
  const steps = vrsScreeningSteps();
  assert.deepEqual(
    steps.map((s) => actionFor(s.schemaId)),
    ['request', 'claim', 'report', 'report', 'report', 'evidence', 'report', 'release', 'attest'],
  );
  const [request, claim] = steps.map((s) => stepRequest(s, tokens));
  const psi = stepRequest(steps.find((s) => s.schemaId === SCHEMA_IDS.psiRoundCompleted)!, tokens);
  assert.deepEqual({ token: request!.token, compositionType: request!.compositionType, schemaId: request!.schemaId }, { token: 'h', compositionType: 'vrs_screening', schemaId: undefined });
  assert.equal(claim!.token, 'a');
  assert.ok(!('claimed_at' in claim!.payload), 'fields the ledger sets are left out');
  assert.equal(psi.schemaId, SCHEMA_IDS.psiRoundCompleted);
  assert.deepEqual(psi.participantTokens, { node_a: 'p', node_b: 'n' });
});
