// The auditor's path end to end, through the CLI as a user runs it: a VRS composition driven over HTTP,
// then `coord audit status` (delta 0), `coord audit export --sign` (twice: byte-identical), `coord audit
// verify-bundle`, and `coord edge replay` — which fails, naming the event, once one byte of it is edited.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { devPublicKeyFile } from '../../ledger/signing-key.js';
import { devEmitterPublicKeysFile } from '../../kafka/emitter-keys.js';
import { mintVrsTokens } from '../../cli/demo/vrs-tokens.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { ROOT } from '../../config/paths.js';
import { Services } from '../../workers/services.js';
import { scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';

let services: Services;
let env: NodeJS.ProcessEnv;
let taskQueue: string;
const compositionId = newCompositionId();
const work = mkdtempSync(join(tmpdir(), 'coord-export-'));

before(async () => {
  await stackReady();
  const topic = await scratchTopic('export');
  taskQueue = `it-export-${randomUUID().slice(0, 8)}`;
  env = { ...process.env, COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: scratchLedgerUrl(), COORD_TASK_QUEUE: taskQueue };
  services = await Services.start({ taskQueue, tag: 'test-export', env });
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), await mintVrsTokens(), compositionId);
  assert.ok(steps.every((s) => s.status < 300));
});
after(async () => services?.stop());

function coord(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

test('coord audit status ingests the topic and reports delta 0', () => {
  const r = coord('audit', 'status', '--json');
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout) as { delta: number; matched: number; ledger: { events: number; ingest_lag: number } };
  assert.equal(report.delta, 0);
  assert.equal(report.matched, 1);
  assert.equal(report.ledger.events, 9);
  assert.equal(report.ledger.ingest_lag, 0);
});

test('two signed exports with the same arguments are byte-identical, and verify offline', () => {
  const [x, y] = [join(work, 'x'), join(work, 'y')];
  for (const dir of [x, y]) {
    const r = coord('audit', 'export', '--composition', compositionId, '--out', dir, '--sign', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { dir, compositions: 1, events: 9, runs: 1, signed: true, signature: 'EdDSA', public_key: devPublicKeyFile() });
  }
  // no checkpoint.txt / proofs.jsonl: no ledger process ran here to issue a checkpoint (test/integration/transparency-log.test.ts has one)
  assert.deepEqual(readdirSync(x).sort(), ['bundle.jws', 'events.jsonl', 'history.json', 'manifest.json', 'signatures.jsonl']);
  for (const file of readdirSync(x)) assert.ok(readFileSync(join(x, file)).equals(readFileSync(join(y, file))), `${file} is byte-identical`);
  assert.equal(coord('audit', 'verify-bundle', x, '--key', devPublicKeyFile()).status, 0);
});

test('a time window selects the same composition', () => {
  const dir = join(work, 'window');
  const since = new Date(Date.now() - 3600_000).toISOString();
  const r = coord('audit', 'export', '--since', since, '--out', dir, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { compositions: number }).compositions, 1);
  assert.ok(readFileSync(join(dir, 'events.jsonl'), 'utf8').includes(compositionId));
});

test('coord edge replay passes on the export, and fails naming the event after a one-byte edit', () => {
  const dir = join(work, 'x');
  const pinned = ['--key', devPublicKeyFile(), '--emitter-key', devEmitterPublicKeysFile()];
  const ok = coord('edge', 'replay', dir, ...pinned, '--json');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { ok: boolean; events: number }).ok, true);

  const file = join(dir, 'events.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const target = JSON.parse(lines[4]!) as { event_id: string };
  const at = lines[4]!.indexOf('"ts_utc":"') + '"ts_utc":"'.length + 3; // a digit of the year
  lines[4] = `${lines[4]!.slice(0, at)}${lines[4]![at] === '9' ? '8' : '9'}${lines[4]!.slice(at + 1)}`;
  writeFileSync(file, lines.join('\n'));
  const bad = coord('edge', 'replay', dir, ...pinned, '--json');
  assert.equal(bad.status, 1);
  const report = JSON.parse(bad.stdout) as { ok: boolean; mismatches: { event_id: string | null; kind: string }[] };
  assert.equal(report.ok, false);
  assert.ok(
    report.mismatches.some((m) => m.event_id === target.event_id && m.kind === 'hash_mismatch'),
    `names ${target.event_id}: ${JSON.stringify(report.mismatches)}`,
  );
});
