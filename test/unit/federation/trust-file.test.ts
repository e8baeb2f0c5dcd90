// The receiving node's trust file: what it pins, strictly — a member missing, unknown, empty, malformed or
// holding a private key stops the node with the member named; a bounded size.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { MAX_TRUST_FILE_BYTES, parseTrust, readTrust } from '../../../workers/federation/trust.js';
import { SliceFactory } from '../../helpers/slice-factory.js';
import { verifySlice } from '../../../audit/slice/verify.js';
import { MemoryHeld } from '../../../workers/federation/memory-held.js';

const write = (value: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'fed-trust-')), 'trust.json');
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
};

test('a trust file pins exactly what verification needs: a genuine slice is accepted with it', async () => {
  const f = await SliceFactory.create();
  const trust = readTrust(write(f.trustFile()));
  assert.equal(trust.sender, 'ledger');
  assert.equal(trust.partner, 'partner');
  assert.deepEqual(trust.emitters.kids, [f.emitter.kid]);
  const verdict = await verifySlice((await f.next(f.composition('cmp_TRUST_A'))).bytes, trust, new MemoryHeld());
  assert.equal(verdict.status, 'accepted');
});

test('each malformed member is named', async () => {
  const f = await SliceFactory.create();
  const good = f.trustFile();
  const cases: [string, unknown, RegExp][] = [
    ['unknown member', { ...good, extra: 1 }, /Unrecognized key.*extra|extra/],
    ['sender missing', { ...good, sender: undefined }, /sender/],
    ['no witness', { ...good, witness_keys: [] }, /witness_keys/],
    ['no emitter', { ...good, emitter_keys: [] }, /emitter_keys/],
    ['no issuer', { ...good, own_issuers: [] }, /own_issuers/],
    ['a log key that does not parse', { ...good, log_keys: ['not+a+key'] }, /log_keys\.0/],
    ['a witness key of the wrong type (a log key)', { ...good, witness_keys: [f.logKey.verifierKey] }, /witness_keys\.0/],
    ['a slice key that is not Ed25519', { ...good, slice_key: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } }, /slice_key/],
    ['a fingerprint that is not sha256', { ...good, schema_fingerprints: { 'composition.requested.v1': ['md5:00'] } }, /schema_fingerprints/],
    ['sender and partner the same', { ...good, partner: 'ledger' }, /both ledger/],
  ];
  for (const [what, value, message] of cases) assert.throws(() => parseTrust(value, 'trust.json'), message, what);
});

test('a private key in a trust file is refused, not silently reduced to its public half', async () => {
  const f = await SliceFactory.create();
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  assert.throws(() => parseTrust({ ...f.trustFile(), slice_key: jwk }), /slice_key holds a private key/);
  assert.throws(() => parseTrust({ ...f.trustFile(), emitter_keys: [f.emitter.publicJwk, jwk] }), /emitter_keys\.1 holds a private key/);
});

test('a trust file that is not JSON, or too large, is refused naming the file', () => {
  assert.throws(() => readTrust(write('{ not json')), /not JSON/);
  assert.throws(() => readTrust(write(' '.repeat(MAX_TRUST_FILE_BYTES + 1))), /larger than/);
  assert.throws(() => readTrust('/nonexistent/trust.json'), /cannot be read/);
});
