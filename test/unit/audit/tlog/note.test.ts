// Signed notes: Go's golang.org/x/mod/sumdb/note vectors reproduced byte for byte and opened under the same
// trust rules, C2SP's example verified, mangled keys and malformed notes refused with stable codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TlogError, type TlogErrorCode } from '../../../../audit/tlog/errors.js';
import { generateNoteKey, keyId, noteSigner, noteSignerFromSeed, noteVerifier, parseSignerKey, parseVerifierKey } from '../../../../audit/tlog/note-keys.js';
import { MAX_NOTE_BYTES, openNote, signNote } from '../../../../audit/tlog/note.js';
import { C2SP_NOTE, GO_NOTE } from './vectors.js';

const { text, peterSig, enochSig } = GO_NOTE;
const peter = noteVerifier(GO_NOTE.verifierKey);
const enoch = noteVerifier(GO_NOTE.enochKey);
const refused = (code: TlogErrorCode) => (err: unknown) => err instanceof TlogError && err.code === code;
/** Go slices its test strings by bytes; the em dash is three bytes, one UTF-16 unit. */
const insertAtByte = (s: string, at: number, what: string) => {
  const b = Buffer.from(s);
  return Buffer.concat([b.subarray(0, at), Buffer.from(what), b.subarray(at)]).toString();
};
const sigOf = (line: string) => line.slice(2, -1).split(' ')[1]!;

test("Go's PeterNeumann key signs Go's text into exactly Go's note", () => {
  const signer = noteSigner(GO_NOTE.signerKey);
  assert.equal(signer.name, 'PeterNeumann');
  assert.equal(signer.keyId, 0xc74f20a3);
  assert.equal(peter.keyId, 0xc74f20a3);
  assert.equal(signNote(text, signer), `${text}\n${peterSig}`);
  assert.equal(signNote(text, [signer, signer]), `${text}\n${peterSig}${peterSig}`);
  const fromSeed = noteSignerFromSeed('PeterNeumann', parseSignerKey(GO_NOTE.signerKey).seed);
  assert.equal(fromSeed.keyId, 0xc74f20a3);
  assert.equal(signNote(text, fromSeed), `${text}\n${peterSig}`);
});

test("opening Go's notes: known keys verify, unknown ones are set aside, none known is refused", () => {
  const one = openNote(`${text}\n${peterSig}${enochSig}`, [peter]);
  assert.equal(one.text, text);
  assert.deepEqual(one.signatures.map((s) => [s.name, s.keyId]), [['PeterNeumann', 0xc74f20a3]]);
  assert.deepEqual(one.unverified.map((s) => [s.name, s.keyId]), [['EnochRoot', 0xaf0cfe78]]);
  assert.equal(Buffer.from([0xc7, 0x4f, 0x20, 0xa3, ...one.signatures[0]!.signature]).toString('base64'), sigOf(peterSig));

  const both = openNote(new TextEncoder().encode(`${text}\n${peterSig}${enochSig}`), [peter, enoch]);
  assert.deepEqual(both.signatures.map((s) => s.name), ['PeterNeumann', 'EnochRoot']);
  assert.deepEqual(both.unverified, []);

  assert.throws(() => openNote(`${text}\n${peterSig}${enochSig}`, []), refused('ERR_NOTE_UNVERIFIED'));
  assert.throws(() => openNote(`${text}\n${enochSig}`, [enoch, peter, enoch]), refused('ERR_NOTE_AMBIGUOUS_KEY'));
  assert.doesNotThrow(() => openNote(`${text}\n${peterSig}`, [enoch, peter, enoch]));
});

test('a bad signature from a known key refuses the whole note; from an unknown key it is only set aside', () => {
  assert.throws(() => openNote(`${text}\n${insertAtByte(peterSig, 60, 'ABCD')}`, [peter]), refused('ERR_NOTE_SIGNATURE'));
  const enochBad = insertAtByte(enochSig, 60, 'ABCD');
  const opened = openNote(`${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${enochBad}`, [peter]);
  assert.equal(opened.signatures.length, 1);
  assert.deepEqual(opened.unverified.map((s) => Buffer.from(s.signature).toString('base64')), [enochSig, enochBad].map((l) => Buffer.from(sigOf(l), 'base64').subarray(4).toString('base64')));
  // Every signature of a known key is checked, a repeated one too.
  assert.throws(() => openNote(`${text}\n${peterSig}${insertAtByte(peterSig, 60, 'ABCD')}`, [peter]), refused('ERR_NOTE_SIGNATURE'));
});

test("malformed notes are refused (Go's list, control characters, non-UTF-8, size and signature limits)", () => {
  const bad: (string | Uint8Array)[] = [
    text,
    `${text}\n`,
    `${text}\n${peterSig.slice(0, -1)}`,
    `\x01${text}\n${peterSig}`,
    new Uint8Array([0xff, ...Buffer.from(`${text}\n${peterSig}`)]),
    `${text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    `${text}\n${peterSig}Unexpected line.\n`,
    `${text}\n${peterSig.repeat(101)}`,
    `${text}\n${peterSig.replace('—', '-')}`,
    `${text}\n${peterSig.replace('=\n', '\n')}`, // unpadded base64
    `${text}\n${peterSig.replace('M=\n', 'N=\n')}`, // non-canonical base64 (trailing bits)
    `${text}\n— PeterNeumann AAAA\n`, // too short for a key ID and a signature
    `\ud800${text}\n${peterSig}`,
    `${'x'.repeat(MAX_NOTE_BYTES)}\n\n${peterSig}`,
    new Uint8Array(MAX_NOTE_BYTES + 1),
  ];
  for (const note of bad) assert.throws(() => openNote(note, [peter]), refused('ERR_NOTE_MALFORMED'), String(note).slice(0, 80));
  // 100 signature lines are accepted (the spec asks for at least 16).
  assert.equal(openNote(`${text}\n${peterSig.repeat(100)}`, [peter]).signatures.length, 1);
  // the text may hold blank lines: the last one separates the signatures
  const signer = noteSigner(GO_NOTE.signerKey);
  assert.equal(openNote(signNote('a\n\nb\n\n', signer), [peter]).text, 'a\n\nb\n\n');
  assert.throws(() => signNote('no final newline', signer), refused('ERR_NOTE_MALFORMED'));
  assert.throws(() => signNote('tab\there\n', signer), refused('ERR_NOTE_MALFORMED'));
});

test("the C2SP example note verifies under the spec's example key", () => {
  const opened = openNote(C2SP_NOTE.note, [noteVerifier(C2SP_NOTE.verifierKey)]);
  assert.equal(opened.text, 'This is an example message.\n');
  assert.deepEqual(opened.signatures.map((s) => s.name), ['example.com/foo']);
});

test("every mangling of Go's verifier and signer keys is refused (TestNewVerifier, TestNewSigner)", () => {
  for (const [key, parse] of [
    [GO_NOTE.verifierKey, parseVerifierKey],
    [GO_NOTE.signerKey, parseSignerKey],
  ] as const) {
    assert.doesNotThrow(() => parse(key));
    for (let i = 0; i <= key.length; i++) {
      for (let j = i + 1; j <= key.length; j++) {
        if (i === 0 && j === key.length) continue;
        assert.throws(() => parse(key.slice(i, j)), refused('ERR_NOTE_KEY'), key.slice(i, j));
      }
    }
    for (let i = 0; i < key.length; i++) {
      const mangled = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
      assert.throws(() => parse(mangled), refused('ERR_NOTE_KEY'), mangled);
    }
  }
  for (const key of GO_NOTE.badVerifierKeys) assert.throws(() => parseVerifierKey(key), refused('ERR_NOTE_KEY'));
});

test('a generated key signs notes its verifier opens, in the Go key formats', () => {
  const { signerKey, verifierKey } = generateNoteKey('ledger.example/log');
  assert.match(signerKey, /^PRIVATE\+KEY\+ledger\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  assert.match(verifierKey, /^ledger\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  const parsed = parseVerifierKey(verifierKey);
  assert.equal(parsed.keyId, keyId('ledger.example/log', 0x01, parsed.publicKey));
  assert.equal(parseSignerKey(signerKey).keyId, parsed.keyId);
  const note = signNote('hello\n', noteSigner(signerKey));
  assert.equal(openNote(note, [noteVerifier(verifierKey)]).text, 'hello\n');
  assert.throws(() => openNote(note, [noteVerifier(generateNoteKey('ledger.example/log').verifierKey)]), refused('ERR_NOTE_UNVERIFIED'));
  assert.throws(() => generateNoteKey('has space'), TypeError);
  assert.throws(() => generateNoteKey('a+b'), TypeError);
});
