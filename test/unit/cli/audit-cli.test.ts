// `coord audit example | verify | replay` as an auditor runs them: files in, JSON and exit codes out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../config/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'coord-audit-'));
const CMP = 'cmp_01HZQ4XY2N7K8R3V5W6P9T2QSL';

function coord(...args: string[]) {
  const res = spawnSync(process.execPath, ['bin/coord.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Record<string, unknown> };
}

const exampleFile = join(dir, 'example.jsonl');
const example = coord('audit', 'example', '--out', exampleFile);
const lines = readFileSync(exampleFile, 'utf8').trimEnd().split('\n');

test('audit example writes the 9 events of §7b; verify says ok', () => {
  assert.equal(example.status, 0, example.stderr);
  assert.equal(lines.length, 9);
  const verified = coord('audit', 'verify', '--file', exampleFile, '--json');
  assert.equal(verified.status, 0);
  assert.deepEqual(verified.json(), { ok: true, events: 9, compositions: 1, first_break: null, duplicates: 0 });
});

test('JSONL written by another tool (other key order, whitespace, 0.0 for 0) verifies: hashes are over canonical JSON', () => {
  const reordered = lines.map((line) => {
    const reverse = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    return JSON.stringify(reverse(JSON.parse(line)), null, 1).replaceAll('\n', ' ').replace('"temperature": 0', '"temperature": 0.0');
  });
  const file = join(dir, 'other-tool.jsonl');
  writeFileSync(file, `${reordered.join('\n')}\n`);
  assert.match(readFileSync(file, 'utf8'), /"temperature": 0\.0/);
  assert.equal(coord('audit', 'verify', '--file', file).status, 0);
});

test('an edited byte is reported at its line with its kind (exit 1)', () => {
  const edited = [...lines];
  edited[6] = edited[6]!.replace('"match_count":4995', '"match_count":4996');
  const file = join(dir, 'edited.jsonl');
  writeFileSync(file, `${edited.join('\n')}\n`);
  const res = coord('audit', 'verify', '--file', file, '--json');
  assert.equal(res.status, 1);
  const firstBreak = res.json().first_break as Record<string, unknown>;
  assert.deepEqual([firstBreak.index, firstBreak.event_id, firstBreak.kind], [6, `evt_${CMP.slice(4)}_007`, 'hash_mismatch']);
});

test('a line that is not JSON is invalid_event at that line', () => {
  const file = join(dir, 'garbled.jsonl');
  writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n{"event_id": \n${lines.slice(2).join('\n')}\n`);
  const res = coord('audit', 'verify', '--file', file, '--json');
  assert.equal(res.status, 1);
  assert.deepEqual(res.json().first_break, { index: 2, event_id: null, kind: 'invalid_event', composition_id: null, detail: (res.json().first_break as { detail: string }).detail });
});

test('--head: a cut tail is a valid prefix without it, truncated with it', () => {
  const file = join(dir, 'cut.jsonl');
  writeFileSync(file, `${lines.slice(0, 7).join('\n')}\n`);
  assert.equal(coord('audit', 'verify', '--file', file).status, 0);
  const head = (JSON.parse(lines[8]!) as { this_hash: string }).this_hash;
  const res = coord('audit', 'verify', '--file', file, '--head', `${CMP}=${head}`, '--json');
  assert.equal(res.status, 1);
  const firstBreak = res.json().first_break as Record<string, unknown>;
  assert.deepEqual([firstBreak.index, firstBreak.event_id, firstBreak.kind], [7, `evt_${CMP.slice(4)}_008`, 'truncated']);
  assert.equal(coord('audit', 'verify', '--file', exampleFile, '--head', `${CMP}=${head}`).status, 0);
});

test('audit replay: the final state of a valid composition; the first invalid step of an invalid one', () => {
  const ok = coord('audit', 'replay', '--file', exampleFile, '--composition', CMP, '--json');
  assert.equal(ok.status, 0);
  assert.deepEqual(ok.json(), { composition_id: CMP, state: 'closed', events: 9, valid: true });

  const agentCloses = [...lines];
  const close = JSON.parse(agentCloses[8]!) as Record<string, unknown>;
  const claim = JSON.parse(agentCloses[1]!) as Record<string, unknown>;
  agentCloses[8] = JSON.stringify({ ...close, actor: claim.actor, agent: claim.agent });
  const file = join(dir, 'agent-closes.jsonl');
  writeFileSync(file, `${agentCloses.join('\n')}\n`);
  const bad = coord('audit', 'replay', '--file', file, '--composition', CMP, '--json');
  assert.equal(bad.status, 1);
  const out = bad.json();
  assert.equal(out.valid, false);
  assert.equal(out.state, 'evidence');
  assert.equal((out.invalid_step as { code: string }).code, 'ERR_ACTOR_TYPE_NOT_ALLOWED');
  assert.equal((out.invalid_step as { index: number }).index, 8);
});

test('usage errors exit 2 with a message', () => {
  const res = coord('audit', 'verify');
  assert.equal(res.status, 2);
  assert.match(res.stderr, /--file/);
});
