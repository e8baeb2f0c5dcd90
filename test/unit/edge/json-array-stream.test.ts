// history.json is read one composition at a time: the scanner yields exactly the elements JSON.parse would
// see, whatever the strings hold (quotes, escapes, brackets, multi-byte characters) and however the file's
// chunks fall; a file without the array, or cut inside it, is an error.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { arrayElements } from '../../../workers/edge/json-array-stream.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'json-array-')), 'doc.json');
  writeFileSync(path, text);
  return path;
};
const collect = async (path: string, key = 'compositions') => {
  const out: unknown[] = [];
  for await (const text of arrayElements(path, key)) out.push(JSON.parse(text));
  return out;
};

test('elements of the named top-level array, with tricky strings and keys before and after it', async () => {
  const doc = {
    a: { compositions: ['a nested key of the same name is not it'] },
    'quote"d': '[{,}]',
    compositions: [{ s: 'brace } bracket ] comma , quote " backslash \\ unicode é😀', n: [1, [2, {}]] }, 'plain', 3, null, { compositions: [] }],
    format: 'x',
  };
  assert.deepEqual(await collect(file(JSON.stringify(doc))), doc.compositions);
  assert.deepEqual(await collect(file(JSON.stringify(doc, null, 2))), doc.compositions);
  assert.deepEqual(await collect(file('{"compositions":[]}')), []);
});

test('elements spanning many read chunks (the file is far larger than one chunk)', async () => {
  const big = Array.from({ length: 40 }, (_, i) => ({ composition_id: `cmp_${i}`, pad: `${'"}]\\,é'.repeat(4000)}${i}` }));
  assert.deepEqual(await collect(file(JSON.stringify({ compositions: big, format: 'f' }))), big);
});

test('no such array, or a file cut inside it, is an error', async () => {
  await assert.rejects(collect(file('{"format":"x"}')), /has no top-level "compositions" array/);
  await assert.rejects(collect(file('{"compositions":[{"a":1},{"b"')), /ends inside the "compositions" array/);
});
