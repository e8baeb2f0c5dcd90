// `coord federation status | verify --org partner` on a receiving node's data folder, in a child process with
// no server running (RABBITMQ_URL points at a closed port): status reports the store, verify passes on an
// intact store and exits 1 naming an event row edited in the SQLite file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ROOT } from '../../../config/paths.js';
import { loadOrCreateReceiptKey } from '../../../workers/federation/receipt-key.js';
import { Receiver } from '../../../workers/federation/receiver.js';
import { FederationStore } from '../../../workers/federation/store.js';
import { SliceFactory } from '../../helpers/slice-factory.js';

const COMMANDS = join(ROOT, 'cli/commands/federation-receive.ts');

/** Runs one of the receiving side's subcommands as `coord federation <sub>` would, in a fresh process. */
function coordFederation(dataDir: string, sub: 'status' | 'verify', args: string[]) {
  const script = `import { federationReceiveCommand } from ${JSON.stringify(COMMANDS)}; process.exitCode = await federationReceiveCommand(${JSON.stringify([sub, ...args])});`;
  const env = { ...process.env, COORD_DATA_DIR: dataDir, RABBITMQ_URL: 'amqp://127.0.0.1:1/federation', KAFKA_BROKERS: '127.0.0.1:1', TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function nodeWithSlices() {
  const data = mkdtempSync(join(tmpdir(), 'fed-cli-'));
  const dir = join(data, 'federation', 'partner');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = await SliceFactory.create();
  writeFileSync(join(dir, 'trust.json'), JSON.stringify(f.trustFile()));
  const store = FederationStore.open(join(dir, 'store.sqlite'), { owner: f.trust });
  const receiver = new Receiver({ store, trust: f.trust, receiptKey: await loadOrCreateReceiptKey(dir), publishReceipt: async () => undefined });
  const a = f.composition('cmp_CLI_A');
  await receiver.receive((await f.next(a)).bytes);
  await receiver.receive((await f.next(f.composition('cmp_CLI_STRANGER', { entitled: false }))).bytes);
  await receiver.receive(Buffer.from('garbage'));
  store.close();
  return { data, dir, f, a };
}

test('status and verify read the node from its own files, every server stopped', async () => {
  const { data, a } = await nodeWithSlices();
  const status = coordFederation(data, 'status', ['--org', 'partner', '--json']);
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { accepted: number; refused: { by_reason: Record<string, number> }; quarantined: { total: number }; compositions: unknown[] };
  assert.equal(s.accepted, 1);
  assert.deepEqual(s.refused.by_reason, { not_entitled: 1 });
  assert.equal(s.quarantined.total, 1);
  assert.deepEqual(s.compositions, [{ composition_id: 'cmp_CLI_A', sequence: 9, this_hash: a[8]!.this_hash }]);

  const verify = coordFederation(data, 'verify', ['--org', 'partner', '--json']);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  const report = JSON.parse(verify.stdout) as { ok: boolean; receipts: { checked: number; key: boolean } };
  assert.equal(report.ok, true);
  assert.deepEqual(report.receipts, { checked: 3, key: true });
  const text = coordFederation(data, 'verify', ['--org', 'partner']);
  assert.match(text.stdout, /^OK: partner's store/);
});

test('verify exits 1 and names the event whose row was edited in the file', async () => {
  const { data, dir } = await nodeWithSlices();
  const db = new Database(join(dir, 'store.sqlite'));
  db.exec('DROP TRIGGER events_no_update');
  db.prepare(`UPDATE events SET this_hash = 'sha256:' || printf('%064d', 0) WHERE event_id = 'evt_CLI_A_009'`).run();
  db.close();
  const verify = coordFederation(data, 'verify', ['--org', 'partner']);
  assert.equal(verify.status, 1, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^FAILED/);
  assert.match(verify.stdout, /event_differs: cmp_CLI_A evt_CLI_A_009 — evt_CLI_A_009: this_hash differ/);
  assert.match(verify.stdout, /head_differs: cmp_CLI_A/);
});

test('a node that does not exist, or no trust file, is a usage error', () => {
  const data = mkdtempSync(join(tmpdir(), 'fed-cli-none-'));
  const verify = coordFederation(data, 'verify', ['--org', 'partner']);
  assert.notEqual(verify.status, 0);
  assert.match(verify.stderr, /no trust file/);
  const status = coordFederation(data, 'status', ['--org', 'partner']);
  assert.match(status.stderr, /no receiving node for partner/);
});
