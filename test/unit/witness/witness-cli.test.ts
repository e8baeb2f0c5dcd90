// `coord witness` as the other organisation runs it: the dev key and its vkey, `--once` exit codes against an
// in-process ledger (0 cosigned or nothing new, 1 refused, 2 unreachable), the loop stopped by SIGTERM, the lock.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../../../config/paths.js';
import { FakeLedger, ORIGIN } from './fake-ledger.js';

const dataDir = mkdtempSync(join(tmpdir(), 'coord-witness-cli-'));
const env = { ...process.env, COORD_DATA_DIR: dataDir, COORD_LOG_LEVEL: 'warn' };
let ledger: FakeLedger;

before(async () => {
  ledger = await FakeLedger.withLeaves(6).start();
});
after(() => ledger.stop());

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/coord.mjs', 'witness', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function coord(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = start(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { status, stdout, stderr };
}

const once = (...extra: string[]) => coord('--org', 'acme', '--ledger', ledger.url, '--log-key', ledger.logKey.verifierKey, '--once', '--json', ...extra);

test('`coord witness key` creates the dev key (0600, folder 0700) and its public vkey (0644) once, and prints the vkey', async () => {
  const first = await coord('key', '--org', 'acme');
  assert.equal(first.status, 0, first.stderr);
  const vkey = first.stdout.trim();
  assert.match(vkey, /^acme\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/); // base64 of 0x04 ‖ key starts with "B"
  const dir = join(dataDir, 'witness', 'acme');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'witness.key')).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dir, 'witness.key'), 'utf8'), /^PRIVATE\+KEY\+acme\+[0-9a-f]{8}\+B/);
  assert.equal(statSync(join(dir, 'witness.vkey')).mode & 0o777, 0o644);
  assert.equal(readFileSync(join(dir, 'witness.vkey'), 'utf8').trim(), vkey);
  assert.equal((await coord('key', '--org', 'acme')).stdout.trim(), vkey);
});

test('--once: exit 0 when it cosigns, 0 when nothing is new, 1 on a refusal, 2 when the ledger is unreachable', async () => {
  const cosigned = await once();
  assert.equal(cosigned.status, 0, cosigned.stderr);
  assert.deepEqual(
    [JSON.parse(cosigned.stdout).outcome, JSON.parse(cosigned.stdout).size, JSON.parse(cosigned.stdout).origin],
    ['cosigned', 6, ORIGIN],
  );
  assert.equal(statSync(join(dataDir, 'witness', 'acme', 'state.json')).mode & 0o777, 0o600);

  const keyFile = join(dataDir, 'log.vkey');
  writeFileSync(keyFile, `${ledger.logKey.verifierKey}\n`);
  const unchanged = await coord('--org', 'acme', '--ledger', ledger.url, '--log-key', keyFile, '--once', '--json'); // the log key from a file
  assert.equal(unchanged.status, 0, unchanged.stderr);
  assert.equal(JSON.parse(unchanged.stdout).outcome, 'unchanged');

  ledger.setData(ledger.leaves().slice(0, 4));
  const refused = await once();
  assert.equal(refused.status, 1, refused.stderr);
  assert.deepEqual([JSON.parse(refused.stdout).outcome, JSON.parse(refused.stdout).reason], ['refused', 'rollback']);
  assert.match(refused.stderr, /"msg":"refused to cosign: rollback"/); // a JSON log line on stderr
  ledger.grow(2); // the honest tree again

  const unreachable = await coord('--org', 'acme', '--ledger', 'http://127.0.0.1:9', '--log-key', ledger.logKey.verifierKey, '--once', '--json');
  assert.equal(unreachable.status, 2, unreachable.stderr);
  assert.equal(JSON.parse(unreachable.stdout).outcome, 'unreachable');
});

test('a --key file that does not exist is an error, never a fresh key', async () => {
  const missing = join(dataDir, 'nowhere', 'witness.key');
  const res = await once('--key', missing, '--state', join(dataDir, 'other-state.json'));
  assert.equal(res.status, 1);
  assert.match(res.stderr, /the witness key file .* does not exist/);
  assert.equal(existsSync(missing), false);
});

test('without --log-key and no dev log key, it says where the key is expected (exit 2)', async () => {
  const res = await coord('--org', 'nolog', '--ledger', ledger.url, '--once');
  assert.equal(res.status, 2);
  assert.match(res.stderr, /no log key: pass --log-key/);
});

test('the loop runs a step per interval until SIGTERM (exit 0); a second witness on the same state is refused', async () => {
  mkdirSync(join(dataDir, 'loop'), { recursive: true });
  const state = join(dataDir, 'loop', 'state.json');
  const child = start(['--org', 'acme', '--ledger', ledger.url, '--log-key', ledger.logKey.verifierKey, '--state', state, '--interval', '0.1', '--json']);
  let stdout = '';
  const lines = new Promise<void>((resolve) =>
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.split('\n').length > 3) resolve();
    }),
  );
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await lines;
  const outcomes = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { outcome: string }).outcome);
  assert.deepEqual(outcomes.slice(0, 3), ['cosigned', 'unchanged', 'unchanged']);

  const second = await once('--state', state);
  assert.equal(second.status, 1);
  assert.match(second.stderr, /another witness \(pid \d+\) holds/);

  child.kill('SIGTERM');
  assert.equal(await closed, 0);
  assert.equal(existsSync(`${state}.lock`), false);
});
