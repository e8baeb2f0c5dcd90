// Checkpoints: the C2SP example parses, bodies round-trip, every departure from the grammar is refused, and a
// signed checkpoint carries a root that inclusion proofs verify against.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCheckpoint, parseCheckpoint } from '../../../../audit/tlog/checkpoint.js';
import { TlogError } from '../../../../audit/tlog/errors.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, inclusionProof, leafHash, verifyInclusion, type NodeId } from '../../../../audit/tlog/merkle.js';
import { generateNoteKey, noteSigner, noteVerifier } from '../../../../audit/tlog/note-keys.js';
import { openNote, signNote } from '../../../../audit/tlog/note.js';
import { C2SP_CHECKPOINT } from './vectors.js';

const ROOT_B64 = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
const malformed = (err: unknown) => err instanceof TlogError && err.code === 'ERR_CHECKPOINT_MALFORMED';

test("the C2SP example's body parses to its origin, size and 32-byte root", () => {
  const body = C2SP_CHECKPOINT.slice(0, C2SP_CHECKPOINT.indexOf('\n\n') + 1);
  const cp = parseCheckpoint(body);
  assert.equal(cp.origin, 'example.com/behind-the-sofa');
  assert.equal(cp.size, 20852163);
  assert.equal(Buffer.from(cp.root).toString('base64'), ROOT_B64);
  assert.deepEqual(cp.extensions, []);
  assert.equal(formatCheckpoint(cp), body);
});

test('bodies round-trip, extension lines included', () => {
  const root = new Uint8Array(32).fill(7);
  for (const cp of [
    { origin: 'ledger.example/log', size: 0, root, extensions: [] },
    { origin: 'ledger.example/log', size: Number.MAX_SAFE_INTEGER, root, extensions: ['ext one', 'ext two'] },
  ]) {
    const body = formatCheckpoint(cp);
    assert.deepEqual(parseCheckpoint(body), cp);
  }
  assert.equal(formatCheckpoint({ origin: 'o', size: 5, root, extensions: [] }), `o\n5\n${Buffer.from(root).toString('base64')}\n`);
});

test('bodies that break tlog-checkpoint are refused', () => {
  const bad = [
    `o\n5\n${ROOT_B64}`, // no final newline
    'o\n5\n',
    `\n5\n${ROOT_B64}\n`, // empty origin
    `o\n05\n${ROOT_B64}\n`, // leading zero
    `o\n00\n${ROOT_B64}\n`,
    `o\n-1\n${ROOT_B64}\n`,
    `o\n+5\n${ROOT_B64}\n`,
    `o\n 5\n${ROOT_B64}\n`,
    `o\n5.0\n${ROOT_B64}\n`,
    `o\n0x5\n${ROOT_B64}\n`,
    `o\n9007199254740992\n${ROOT_B64}\n`, // 2^53
    `o\n3438945738945739845734895735\n${ROOT_B64}\n`,
    'o\n5\nYmFuYW5hcw==\n', // 7 bytes, not a SHA-256 root
    "o\n5\nThisIsn'tBase64\n",
    `o\n5\n${ROOT_B64.slice(0, -1)}\n`, // unpadded
    `o\n5\n${ROOT_B64.replace('I=', 'J=')}\n`, // non-canonical trailing bits
    `o\n5\n${ROOT_B64}\n\n`, // an empty extension line
    `o\x01\n5\n${ROOT_B64}\n`,
  ];
  for (const body of bad) assert.throws(() => parseCheckpoint(body), malformed, JSON.stringify(body));
  const root = new Uint8Array(32);
  assert.throws(() => formatCheckpoint({ origin: '', size: 1, root, extensions: [] }), malformed);
  assert.throws(() => formatCheckpoint({ origin: 'a\nb', size: 1, root, extensions: [] }), malformed);
  assert.throws(() => formatCheckpoint({ origin: 'o', size: -1, root, extensions: [] }), malformed);
  assert.throws(() => formatCheckpoint({ origin: 'o', size: 1, root: new Uint8Array(31), extensions: [] }), malformed);
  assert.throws(() => formatCheckpoint({ origin: 'o', size: 1, root, extensions: [''] }), malformed);
});

test('a signed checkpoint: opened, parsed, and its root verifies an inclusion proof', async () => {
  const leaves = ['a', 'b', 'c', 'd', 'e'].map((s) => leafHash(Buffer.from(s)));
  const { range, nodes } = appendLeaves(EMPTY_RANGE, leaves);
  const table = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
  const reader = { nodes: (ids: readonly NodeId[]) => ids.map((id) => table.get(`${id.level}:${id.index}`)!) };
  const key = generateNoteKey('ledger.example/log');
  const note = signNote(formatCheckpoint({ origin: 'ledger.example/log', size: range.size, root: compactRangeRoot(range), extensions: [] }), noteSigner(key.signerKey));
  const cp = parseCheckpoint(openNote(note, [noteVerifier(key.verifierKey)]).text);
  assert.equal(cp.size, 5);
  assert.equal(verifyInclusion(leaves[3]!, 3, cp.size, await inclusionProof(reader, 3, cp.size), cp.root), true);
});
