// Files and folders for data and logs are their owner's only: 0600 / 0700, also when they already existed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from '../../../config/paths.js';
import { ensurePrivateDir, privateAppendStream, restrictNewFilesToOwner } from '../../../lib/private-files.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('a log stream is 0600 in a 0700 folder, and tightens what existed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'private-'));
  try {
    const fresh = privateAppendStream(join(root, 'logs', 'gateway.log'));
    await once(fresh, 'open');
    fresh.end('line\n');
    await once(fresh, 'close');
    assert.deepEqual([mode(join(root, 'logs')), mode(join(root, 'logs', 'gateway.log'))], ['700', '600']);

    mkdirSync(join(root, 'old'), { mode: 0o755 });
    writeFileSync(join(root, 'old', 'worker.log'), 'x', { mode: 0o644 });
    const old = privateAppendStream(join(root, 'old', 'worker.log'));
    await once(old, 'open');
    old.end();
    await once(old, 'close');
    assert.deepEqual([mode(join(root, 'old')), mode(join(root, 'old', 'worker.log'))], ['700', '600']);
    assert.equal(mode(ensurePrivateDir(join(root, 'a', 'b'))), '700');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('after restrictNewFilesToOwner, whatever the process creates is owner-only', () => {
  const root = mkdtempSync(join(tmpdir(), 'private-'));
  const previous = restrictNewFilesToOwner();
  try {
    mkdirSync(join(root, 'ledger'), { recursive: true });
    writeFileSync(join(root, 'ledger', 'ledger.db'), '');
    assert.deepEqual([mode(join(root, 'ledger')), mode(join(root, 'ledger', 'ledger.db'))], ['700', '600']);
  } finally {
    process.umask(previous);
    rmSync(root, { recursive: true, force: true });
  }
});

test('the data folder is 0700: created so, and tightened when an older run left it world-readable', () => {
  const root = mkdtempSync(join(tmpdir(), 'data-dir-'));
  const modes = (data: string) => {
    const script = `const { ensureDir, DATA_DIR } = await import('./config/paths.ts'); ensureDir(DATA_DIR + '/ledger'); const { statSync } = await import('node:fs'); console.log([DATA_DIR, DATA_DIR + '/ledger'].map((p) => (statSync(p).mode & 0o777).toString(8)).join(' '));`;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COORD_DATA_DIR: data } });
    assert.equal(res.status, 0, res.stderr);
    return res.stdout.trim();
  };
  try {
    assert.equal(modes(join(root, 'fresh')), '700 700');
    mkdirSync(join(root, 'old'), { mode: 0o755 });
    assert.equal(modes(join(root, 'old')), '700 700');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
