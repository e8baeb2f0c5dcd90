// The witness's state file: written whole (tmp + rename), owner-only, and never silently replaced — a file
// that does not parse, or whose recorded checkpoint does not match its size and root, stops the witness.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyState, loadState, lockState, logEntry, recordRefusal, saveState, MAX_REFUSALS } from '../../../witness/state.js';
import type { SignedRefusal } from '../../../audit/tlog/witness-refusal.js';

const dir = () => mkdtempSync(join(tmpdir(), 'coord-witness-state-'));
const BODY = 'ledger.test/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';

test('a missing file is an empty state; a saved one reads back, 0600, with no temporary file left', () => {
  const file = join(dir(), 'w', 'state.json');
  assert.deepEqual(loadState(file), emptyState());
  const state = emptyState();
  logEntry(state, 'ledger.test/log', 'k').cosigned = { size: 2, root: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', body: BODY, time: 1, cosignature: '— w AAAA\n' };
  mkdirSync(join(file, '..'));
  writeFileSync(`${file}.${process.pid}.tmp`, 'left over', { mode: 0o644 }); // a crash's leftover, world-readable
  saveState(file, state);
  assert.deepEqual(loadState(file), state);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(file, '..')), ['state.json']);
});

test('a state that does not parse, or whose checkpoint does not match its size, is an error, not a fresh start', () => {
  const file = join(dir(), 'state.json');
  writeFileSync(file, '{"version":1,"logs":');
  assert.throws(() => loadState(file), /not a witness state file .*refusing to start over it/);
  const log = { log_key: 'k', cosigned: { size: 3, root: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', body: BODY, time: 1, cosignature: '' }, refusals: [] };
  writeFileSync(file, JSON.stringify({ version: 1, logs: { 'ledger.test/log': log } }));
  assert.throws(() => loadState(file), /does not match its origin, size and root/);
});

test('refusals: a repeat is counted on the latest one; at most MAX_REFUSALS are kept, the oldest dropped', () => {
  const log = logEntry(emptyState(), 'o', 'k');
  const refusal = (n: number): SignedRefusal => ({ witness: 'w', origin: 'o', old_size: 1, new_size: n, reason: 'rollback', detail: '', time: n, signature: 'AAAA' });
  assert.equal(recordRefusal(log, refusal(0)).repeated, false);
  assert.equal(recordRefusal(log, { ...refusal(0), time: 9 }).repeated, true);
  assert.deepEqual([log.refusals.length, log.refusals[0]!.repeats, log.refusals[0]!.last_time], [1, 1, 9]);
  for (let n = 1; n <= MAX_REFUSALS + 5; n++) recordRefusal(log, refusal(n));
  assert.equal(log.refusals.length, MAX_REFUSALS);
  assert.equal(log.refusals[0]!.refusal.new_size, 6);
});

test("the lock is exclusive while its process lives; a dead process's lock is taken over", () => {
  const d = dir();
  const file = join(d, 'state.json');
  const release = lockState(file);
  assert.throws(() => lockState(file), /another witness \(pid \d+\) holds/);
  release();
  writeFileSync(`${file}.lock`, '999999999\n'); // no such process
  chmodSync(`${file}.lock`, 0o600);
  lockState(file)();
});
