// The transparency log on the real stack: a ledger process appends every admitted event of a §7b screening
// to its log and issues checkpoints; a witness of another organisation (`coord witness`, its own key and
// state) cosigns them; an export carries the witnessed checkpoint and a proof per event, and `coord edge
// replay` verifies it offline with the pinned keys. Then an attacker with the database rewrites the ledger —
// deletes a composition and rebuilds the log without it — and the witness refuses the next checkpoint, and
// the self-audit raises the alarm.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { mintVrsTokens } from '../../cli/demo/vrs-tokens.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { ROOT } from '../../config/paths.js';
import { devEmitterPublicKeysFile } from '../../kafka/emitter-keys.js';
import { devLogVerifierKeyFile } from '../../ledger/log/log-key.js';
import { SqliteLogStore } from '../../ledger/log/sqlite-log.js';
import { devPublicKeyFile } from '../../ledger/signing-key.js';
import type { CanonicalRow } from '../../ledger/records.js';
import { Services } from '../../workers/services.js';
import { scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'coord-tlog-'));
const ledgerFile = join(work, 'ledger.db');
const witness = generateCosignerKey(`it-partner-${randomUUID().slice(0, 8)}`);
const witnessKeyFile = join(work, 'witness.key');
const stateFile = join(work, 'witness-state.json');
let services: Services;
let env: NodeJS.ProcessEnv;
let ledgerUrl: string;
const first = newCompositionId();
const second = newCompositionId();

before(async () => {
  await stackReady();
  writeFileSync(witnessKeyFile, `${witness.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'witnesses'), `${witness.verifierKey}\n`);
  const taskQueue = `it-tlog-${randomUUID().slice(0, 8)}`;
  env = {
    ...process.env,
    COORD_AUDIT_TOPIC: await scratchTopic('tlog'),
    COORD_LEDGER_URL: `sqlite:${ledgerFile}`,
    COORD_TASK_QUEUE: taskQueue,
    COORD_LOG_WITNESSES_FILE: join(work, 'witnesses'),
    COORD_LOG_CHECKPOINT_SECONDS: '0.5',
  };
  services = await Services.start({ taskQueue, tag: 'test-tlog', env, ledger: true });
  env = services.env; // with the ports the services were given
  ledgerUrl = `http://${env.COORD_LEDGER_METRICS_ADDRESS}`;
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), await mintVrsTokens(), first);
  assert.ok(steps.every((s) => s.status < 300), JSON.stringify(steps.at(-1)));
});
after(async () => services?.stop());

function coord(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const witnessOnce = () => coord('witness', '--org', 'it-partner', '--ledger', ledgerUrl, '--key', witnessKeyFile, '--state', stateFile, '--log-key', devLogVerifierKeyFile(), '--once', '--json');

/** The latest checkpoint's size, once one covers at least `size` leaves. */
const checkpointOf = (size: number) =>
  waitFor(
    async () => {
      const res = await fetch(`${ledgerUrl}/log/checkpoint`);
      if (!res.ok) return undefined;
      const note = await res.text();
      return Number(note.split('\n')[1]) >= size ? note : undefined;
    },
    { what: `a checkpoint of at least ${size} events`, timeoutMs: 60_000 },
  );

test('the witness cosigns the ledger’s checkpoint, which is then witnessed, and a signed export verifies offline with the pinned keys', async () => {
  await checkpointOf(9);
  const cosigned = witnessOnce();
  assert.equal(cosigned.status, 0, cosigned.stderr + cosigned.stdout);
  assert.equal((JSON.parse(cosigned.stdout.trim().split('\n').at(-1)!) as { outcome: string }).outcome, 'cosigned');
  const note = await (await fetch(`${ledgerUrl}/log/checkpoint?witnessed=1`)).text();
  assert.match(note, new RegExp(`\\n— ${witness.verifierKey.split('+')[0]!.replaceAll('.', '\\.')} `), 'the cosignature is served under the checkpoint');

  const dir = join(work, 'export');
  const exported = coord('audit', 'export', '--composition', first, '--out', dir, '--sign', '--json');
  assert.equal(exported.status, 0, exported.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['bundle.jws', 'checkpoint.txt', 'events.jsonl', 'history.json', 'manifest.json', 'proofs.jsonl', 'signatures.jsonl']);
  const keys = ['--key', devPublicKeyFile(), '--emitter-key', devEmitterPublicKeysFile(), '--log-key', devLogVerifierKeyFile(), '--witness-key', witness.verifierKey];
  const replay = coord('edge', 'replay', dir, '--events-only', ...keys, '--json');
  assert.equal(replay.status, 0, replay.stdout + replay.stderr);
  const report = JSON.parse(replay.stdout) as { ok: boolean; events: number; checkpoint?: { size: number } };
  assert.deepEqual([report.ok, report.events], [true, 9]);
  assert.ok(report.checkpoint!.size >= 9);

  const stranger = generateCosignerKey('someone-else');
  const unwitnessed = JSON.parse(coord('edge', 'replay', dir, '--events-only', ...keys, '--witness-key', stranger.verifierKey, '--json').stdout) as { mismatches: { kind: string }[] };
  assert.deepEqual(unwitnessed.mismatches.map((m) => m.kind), ['checkpoint_not_witnessed']);
  const verified = coord('audit', 'verify-bundle', dir, ...keys, '--json');
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const refused = coord('audit', 'verify-bundle', dir, ...keys, '--witness-key', stranger.verifierKey, '--json');
  assert.equal(refused.status, 1);
  assert.deepEqual((JSON.parse(refused.stdout) as { problems: { kind: string }[] }).problems.map((p) => p.kind), ['checkpoint_not_witnessed']);
  const inclusion = coord('audit', 'log', 'inclusion', '--event', `evt_${first.slice(4)}_009`, '--json');
  assert.equal(inclusion.status, 0, inclusion.stderr + inclusion.stdout);
});

test('a composition deleted from the ledger’s store, the log rebuilt without it: the witness refuses the next checkpoint and the self-audit raises the alarm', async () => {
  const before = await checkpointOf(9);
  assert.equal(witnessOnce().status, 0, 'the witness is up to date');
  const size = Number(before.split('\n')[1]);

  // The attacker: full access to the database — triggers dropped, the composition and every checkpoint gone,
  // the log rebuilt from what is left, so that it is self-consistent.
  const db = new Database(ledgerFile);
  db.transaction(() => {
    for (const t of ['ledger_events', 'tlog_leaves', 'tlog_nodes', 'tlog_checkpoints']) for (const op of ['update', 'delete']) db.exec(`DROP TRIGGER IF EXISTS ${t}_no_${op}`);
    db.prepare('DELETE FROM ledger_events WHERE composition_id = ?').run(first);
    db.exec('DELETE FROM tlog_leaves; DELETE FROM tlog_nodes; DELETE FROM tlog_checkpoints');
    new SqliteLogStore(db).appendInTransaction(db.prepare('SELECT composition_id, event_id, body FROM ledger_events ORDER BY rowid').all() as CanonicalRow[]);
  })();
  db.close();

  // Business goes on; the next checkpoint has the old size again, with another root.
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), await mintVrsTokens(), second);
  assert.ok(steps.every((s) => s.status < 300));
  await checkpointOf(size);
  const refused = witnessOnce();
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  const outcome = JSON.parse(refused.stdout.trim().split('\n').at(-1)!) as { outcome: string; reason?: string; refusal?: { reason: string } };
  assert.equal(outcome.outcome, 'refused');
  assert.ok(['inconsistent', 'rollback'].includes(outcome.reason ?? outcome.refusal?.reason ?? ''), refused.stdout);

  const status = coord('audit', 'status', '--json', '--no-catch-up');
  const report = JSON.parse(status.stdout) as { alarm: boolean; log: { witness_refusals: { reason: string }[] } };
  assert.equal(report.alarm, true, status.stdout);
  assert.ok(report.log.witness_refusals.length >= 1);
});
