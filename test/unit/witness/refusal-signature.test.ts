// A witness refusal is signed with its cosigner key over a fixed header and the RFC 8785 JSON of its fields:
// the ledger verifies it against the pinned key, and any altered field, another key or an extra member fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../../audit/canonical.js';
import { cosignatureVerifier, cosignerFromKey, cosign, generateCosignerKey } from '../../../audit/tlog/cosignature.js';
import { parseVerifierKey } from '../../../audit/tlog/note-keys.js';
import { REFUSAL_HEADER, refusalMessage, refusalSigner, signRefusal, verifyRefusal, type RefusalFields } from '../../../audit/tlog/witness-refusal.js';

const key = generateCosignerKey('witness.acme.example');
const signer = refusalSigner(key.signerKey);
const fields: RefusalFields = { witness: 'witness.acme.example', origin: 'ledger.test/log', old_size: 5, new_size: 3, reason: 'rollback', detail: 'smaller', time: 1_760_000_000 };

test('the signed message is the header and the canonical JSON of the fields, in key order, without the signature', () => {
  const text = new TextDecoder().decode(refusalMessage(fields));
  assert.equal(text, `${REFUSAL_HEADER}{"detail":"smaller","new_size":3,"old_size":5,"origin":"ledger.test/log","reason":"rollback","time":1760000000,"witness":"witness.acme.example"}`);
  assert.equal(text, REFUSAL_HEADER + canonicalJson(fields));
  const signed = signRefusal(fields, signer);
  assert.deepEqual(refusalMessage(signed), refusalMessage(fields)); // a signature member is not covered
});

test('a refusal verifies against the witness vkey (string or parsed), also after a JSON round trip', () => {
  const signed = signRefusal(fields, signer);
  assert.equal(verifyRefusal(signed, key.verifierKey), true);
  assert.equal(verifyRefusal(JSON.parse(JSON.stringify(signed)), parseVerifierKey(key.verifierKey, 0x04)), true);
});

test('any altered field, an extra or a missing member, another key or another name fails', () => {
  const signed = signRefusal(fields, signer);
  const altered: Record<string, unknown>[] = [
    { ...signed, origin: 'ledger.test/other' },
    { ...signed, old_size: 6 },
    { ...signed, new_size: 4 },
    { ...signed, reason: 'inconsistent' },
    { ...signed, detail: 'smaller ' },
    { ...signed, time: fields.time + 1 },
    { ...signed, extra: true },
    { ...signed, signature: signed.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    Object.fromEntries(Object.entries(signed).filter(([k]) => k !== 'detail')),
  ];
  for (const body of altered) assert.equal(verifyRefusal(body, key.verifierKey), false, JSON.stringify(body));
  assert.equal(verifyRefusal(signed, generateCosignerKey('witness.acme.example').verifierKey), false);
  const other = generateCosignerKey('witness.other.example');
  assert.equal(verifyRefusal(signRefusal({ ...fields, witness: 'witness.other.example' }, refusalSigner(other.signerKey)), key.verifierKey), false);
  for (const junk of [null, 'x', [], 42, { ...signed, old_size: -1 }, { ...signed, time: 1.5 }]) assert.equal(verifyRefusal(junk, key.verifierKey), false);
});

test('signRefusal refuses fields a verifier would refuse, and a name that is not its key', () => {
  assert.throws(() => signRefusal({ ...fields, witness: 'someone.else' }, signer), TypeError);
  assert.throws(() => signRefusal({ ...fields, detail: 'x'.repeat(1001) }, signer), TypeError);
  assert.throws(() => signRefusal({ ...fields, reason: 'bored' as never }, signer), TypeError);
});

test('neither signature passes for the other: a cosignature is not a refusal, a refusal is not a cosignature', () => {
  const body = 'ledger.test/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const cosigner = cosignerFromKey(key.signerKey);
  const line = cosign(body, cosigner, fields.time);
  const cosig = Buffer.from(line.trim().split(' ')[2]!, 'base64').subarray(4 + 8);
  assert.equal(verifyRefusal({ ...fields, signature: cosig.toString('base64') }, key.verifierKey), false);
  const refusal = signRefusal(fields, signer);
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(fields.time));
  const forged = Buffer.concat([stamp, Buffer.from(refusal.signature, 'base64')]);
  assert.equal(cosignatureVerifier(key.verifierKey).verify(new TextEncoder().encode(body), forged), false);
});
