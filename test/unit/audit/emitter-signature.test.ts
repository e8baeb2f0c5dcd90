// Emitter signatures: deterministic over this_hash, and a keyring that names why an event is not vouched for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EmitterKeyring } from '../../../audit/emitter-signature.js';
import { ROOT } from '../../../config/paths.js';
import { testEmitter } from '../../helpers/emitter.js';

const HASH = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

test('a signature is deterministic: a retried publish carries the same bytes', () => {
  const { signer } = testEmitter();
  assert.deepEqual(signer.sign(HASH), signer.sign(HASH));
  assert.notEqual(signer.sign(HASH).sig, signer.sign(OTHER).sig);
  assert.match(signer.kid, /^[A-Za-z0-9_-]{43}$/);
});

test('the keyring admits only what a pinned key signed over exactly this hash, and says why not', () => {
  const { signer, keyring } = testEmitter();
  const stranger = testEmitter().signer;
  const good = signer.sign(HASH);
  assert.equal(keyring.check(HASH, good), null);
  assert.equal(keyring.check(HASH, undefined), 'signature_missing');
  assert.equal(keyring.check(HASH, { kid: good.kid }), 'signature_missing');
  assert.equal(keyring.check(HASH, { sig: good.sig }), 'signature_missing');
  assert.equal(keyring.check(HASH, stranger.sign(HASH)), 'unknown_signer');
  assert.equal(keyring.check(HASH, { kid: 'x'.repeat(5000), sig: good.sig }), 'unknown_signer');
  assert.equal(keyring.check(OTHER, good), 'signature_invalid', 'a real signature of another event');
  const flipped = Buffer.from(good.sig, 'base64url');
  flipped[0] = flipped[0]! ^ 0x01; // one bit of the signature (editing base64 text could leave the bytes as they were)
  assert.equal(keyring.check(HASH, { kid: good.kid, sig: flipped.toString('base64url') }), 'signature_invalid');
  assert.equal(keyring.check(HASH, { kid: good.kid, sig: 'not base64url!' }), 'signature_invalid');
  assert.throws(() => new EmitterKeyring([{ kty: 'RSA', n: 'x', e: 'AQAB' }]), /not an Ed25519 JWK/);
});

test('rotation: a retired key stays pinned for what it signed; the kid is computed, not read', () => {
  const one = testEmitter();
  const two = testEmitter();
  const both = new EmitterKeyring([one.signer.publicJwk, { ...two.signer.publicJwk, kid: one.signer.kid }]);
  assert.deepEqual(both.kids, [one.signer.kid, two.signer.kid]);
  assert.equal(both.check(HASH, one.signer.sign(HASH)), null);
  assert.equal(both.check(HASH, two.signer.sign(HASH)), null);
});

test('dev keys: created 0600 on first use, pinned in public-keys.json, and rotation keeps the old key pinned', () => {
  const data = mkdtempSync(join(tmpdir(), 'emitter-keys-'));
  const run = (code: string) => {
    const script = `const k = await import('./kafka/emitter-keys.ts'); ${code}`;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COORD_DATA_DIR: data, COORD_EMITTER_KEY_FILE: '', COORD_EMITTER_PUBLIC_KEYS_FILE: '' } });
    assert.equal(res.status, 0, res.stderr);
    return res.stdout.trim();
  };
  try {
    const first = run('console.log(k.loadEmitterSigner().kid)');
    assert.equal((statSync(join(data, 'emitter', 'current.jwk')).mode & 0o777).toString(8), '600');
    const rotated = JSON.parse(run('console.log(JSON.stringify(k.rotateDevEmitterKey()))')) as { retired: string; current: string };
    assert.equal(rotated.retired, first);
    assert.notEqual(rotated.current, first);
    const pinned = JSON.parse(readFileSync(join(data, 'emitter', 'public-keys.json'), 'utf8')) as { keys: { kid: string; d?: string }[] };
    assert.deepEqual(pinned.keys.map((k) => k.kid), [rotated.current, first]);
    assert.ok(pinned.keys.every((k) => k.d === undefined), 'no private member in the pinned set');
    assert.equal(run('console.log(k.pinnedEmitterKeys().kids.join(","))'), `${rotated.current},${first}`);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
