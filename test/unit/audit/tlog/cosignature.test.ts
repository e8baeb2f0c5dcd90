// Cosignatures (cosignature/v1): key IDs with type 0x04, the exact signed message of the spec's example,
// timestamp ‖ signature bytes, and a witness's line opened beside the log's own signature.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { cosign, cosignatureTime, cosignatureVerifier, cosignedMessage, cosignerFromKey, generateCosignerKey, verifyCosignature } from '../../../../audit/tlog/cosignature.js';
import { TlogError } from '../../../../audit/tlog/errors.js';
import { formatSignerKey, generateNoteKey, keyId, noteSigner, noteVerifier, parseSignerKey, parseVerifierKey } from '../../../../audit/tlog/note-keys.js';
import { openNote, parseSignatureLine, signNote } from '../../../../audit/tlog/note.js';
import { COSIG_V1, C2SP_CHECKPOINT, GO_NOTE } from './vectors.js';

const BODY = C2SP_CHECKPOINT.slice(0, C2SP_CHECKPOINT.indexOf('\n\n') + 1);
const code = (c: string) => (err: unknown) => err instanceof TlogError && err.code === c;

test("transparency-dev's native cosignature/v1 vkey parses as type 0x04, and its key ID is computed with 0x04", () => {
  const key = parseVerifierKey(COSIG_V1.verifierKey, 0x04);
  assert.equal(key.name, 'remora.n621.de');
  assert.equal(key.keyId, 0xda77ade7);
  assert.equal(keyId(key.name, 0x04, key.publicKey), 0xda77ade7);
  assert.notEqual(keyId(key.name, 0x01, key.publicKey), 0xda77ade7);
  assert.throws(() => parseVerifierKey(COSIG_V1.verifierKey), code('ERR_NOTE_KEY')); // not an ordinary 0x01 note key
  assert.throws(() => cosignatureVerifier(GO_NOTE.verifierKey), code('ERR_NOTE_KEY')); // nor the other way round
});

test("the timestamp is read from a published cosignature's first 8 bytes after the key ID", () => {
  const raw = Buffer.from(COSIG_V1.signature, 'base64');
  assert.equal(raw.length, 4 + 8 + 64);
  assert.equal(cosignatureTime({ name: 'w', keyId: raw.readUInt32BE(0), signature: raw.subarray(4) }), COSIG_V1.timestamp);
  assert.equal(cosignatureTime({ name: 'w', keyId: 0, signature: raw.subarray(4, 70) }), null);
});

test("the signed message is the spec's example, byte for byte, and the signature is Ed25519 over it", () => {
  assert.equal(
    new TextDecoder().decode(cosignedMessage(BODY, 1679315147)),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  );
  // Go's PeterNeumann seed as a cosigner key: a fixed key, so the signature is a fixed (deterministic) answer.
  const seed = parseSignerKey(GO_NOTE.signerKey).seed;
  const witness = cosignerFromKey(formatSignerKey('witness.example/w1', 0x04, seed));
  const line = cosign(BODY, witness, 1679315147);
  const sig = parseSignatureLine(line);
  assert.equal(sig.name, 'witness.example/w1');
  assert.equal(sig.keyId, keyId('witness.example/w1', 0x04, witness.publicKey));
  assert.equal(sig.signature.length, 72);
  assert.equal(Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE(0), 1679315147n);
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(witness.publicKey).toString('base64url') };
  assert.equal(verify(null, cosignedMessage(BODY, 1679315147), createPublicKey({ key: jwk, format: 'jwk' }), sig.signature.subarray(8)), true);
  assert.equal(cosign(BODY, witness, 1679315147), line); // Ed25519 is deterministic
});

test("a witness's cosignature opens beside the log's signature and vouches for its time", () => {
  const log = generateNoteKey('ledger.example/log');
  const witnessKey = generateCosignerKey('witness.example/w1');
  assert.match(witnessKey.verifierKey, /^witness\.example\/w1\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/); // base64 of 0x04 ‖ key starts "B"
  const witness = cosignerFromKey(witnessKey.signerKey);
  const note = signNote(BODY, noteSigner(log.signerKey)) + cosign(BODY, witness, 1_700_000_000);

  const opened = openNote(note, [noteVerifier(log.verifierKey), cosignatureVerifier(witnessKey.verifierKey)]);
  assert.deepEqual(opened.signatures.map((s) => s.name), ['ledger.example/log', 'witness.example/w1']);
  assert.equal(cosignatureTime(opened.signatures[1]!), 1_700_000_000);
  // A client that does not know the witness sets its line aside.
  assert.equal(openNote(note, [noteVerifier(log.verifierKey)]).unverified.length, 1);

  const verifier = cosignatureVerifier(witnessKey.verifierKey);
  const line = cosign(BODY, witness, 1_700_000_000);
  assert.equal(verifyCosignature(BODY, line, verifier), 1_700_000_000);
  // another time, another checkpoint, another key: nothing
  const raw = Buffer.from(line.slice(line.lastIndexOf(' ') + 1, -1), 'base64');
  raw[4 + 7] = raw[4 + 7]! ^ 1;
  assert.equal(verifyCosignature(BODY, `— witness.example/w1 ${raw.toString('base64')}\n`, verifier), null);
  assert.equal(verifyCosignature(BODY.replace('20852163', '20852164'), line, verifier), null);
  assert.equal(verifyCosignature(BODY, line, cosignatureVerifier(generateCosignerKey('witness.example/w1').verifierKey)), null);
  assert.equal(verifyCosignature(BODY, 'not a line', verifier), null);
  // A cosignature from the witness's key as an ordinary note signature (type 0x01) is a different key ID.
  assert.throws(() => openNote(signNote(BODY, noteSigner(formatSignerKey('witness.example/w1', 0x01, parseSignerKey(witnessKey.signerKey, 0x04).seed))), [verifier]), code('ERR_NOTE_UNVERIFIED'));
  // A tampered time under a known cosigner refuses the note.
  assert.throws(() => openNote(signNote(BODY, noteSigner(log.signerKey)) + `— witness.example/w1 ${raw.toString('base64')}\n`, [verifier]), code('ERR_NOTE_SIGNATURE'));
});

test('only checkpoints are cosigned, at a whole non-negative time', () => {
  const witness = cosignerFromKey(generateCosignerKey('w').signerKey);
  assert.throws(() => cosign('not a checkpoint\n', witness, 1), code('ERR_COSIGNATURE_MALFORMED'));
  assert.throws(() => cosign(BODY, witness, -1), code('ERR_COSIGNATURE_MALFORMED'));
  assert.throws(() => cosign(BODY, witness, 1.5), code('ERR_COSIGNATURE_MALFORMED'));
  assert.throws(() => cosignerFromKey(GO_NOTE.signerKey), code('ERR_NOTE_KEY')); // a 0x01 key is not a cosigner key
});
