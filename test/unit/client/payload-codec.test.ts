// AES-GCM payload encryption: round trip, key rotation by key id, tampering detected, unknown keys refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../../client/payload-codec.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const payload = defaultPayloadConverter.toPayload({ token: 'eyJhbGciOi.secret.sig', payload: { lens_id: 'x' } });

test('encode seals the whole payload: the token is not in the bytes; decode restores it exactly', async () => {
  const codec = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]) });
  const [sealed] = await codec.encode([payload]);
  assert.equal(Buffer.from(sealed!.metadata!.encoding!).toString(), 'binary/encrypted');
  assert.equal(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString(), 'k1');
  assert.ok(!Buffer.from(sealed!.data!).toString('latin1').includes('secret'));
  const [opened] = await codec.decode([sealed!]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), { token: 'eyJhbGciOi.secret.sig', payload: { lens_id: 'x' } });
});

test('after rotation, payloads sealed with the old key still open; new ones use the new key', async () => {
  const [old] = await new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]) }).encode([payload]);
  const rotated = new EncryptionCodec({ current: 'k2', keys: new Map([['k1', k1], ['k2', k2]]) });
  assert.ok(await rotated.decode([old!]));
  const [fresh] = await rotated.encode([payload]);
  assert.equal(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString(), 'k2');
});

test('a flipped bit or an unknown key id fails loudly', async () => {
  const codec = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', k1]]) });
  const [sealed] = await codec.encode([payload]);
  const tampered = Buffer.from(sealed!.data!);
  tampered[20]! ^= 1;
  await assert.rejects(codec.decode([{ ...sealed!, data: tampered }]), /auth/i);
  await assert.rejects(new EncryptionCodec({ current: 'k2', keys: new Map([['k2', k2]]) }).decode([sealed!]), /unknown codec key "k1"/);
});

test('keys must be 32 bytes and the current key configured', () => {
  assert.throws(() => new EncryptionCodec({ current: 'k', keys: new Map([['k', randomBytes(16)]]) }), /32 bytes/);
  assert.throws(() => new EncryptionCodec({ current: 'missing', keys: new Map([['k1', k1]]) }), /not configured/);
});
