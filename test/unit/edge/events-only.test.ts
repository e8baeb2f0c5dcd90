// The edge worker's events-only mode on bundles of the §7b example: an intact signed bundle passes; any
// one-byte edit of an event fails naming that event; a dropped event, a cut tail, a wrong or corrupted
// signature, a non-canonical line, an invalid lifecycle each fail with their own kind — and the CLI in
// this mode loads no native module and none of the heavy client libraries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { EVENTS_FILE, SIGNATURE_FILE } from '../../../audit/bundle/format.js';
import { signManifest } from '../../../audit/bundle/signature.js';
import { loadOrCreateSigningKey, type SigningKey } from '../../../ledger/signing-key.js';
import { writeBundle } from '../../../audit/bundle/write.js';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../../../audit/chain.js';
import { buildVrsExample, vrsScreeningSteps } from '../../../audit/examples/vrs-screening.js';
import { ROOT } from '../../../config/paths.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { SCHEMA_IDS } from '../../../schemas/schema-ids.js';
import type { EdgeReport } from '../../../workers/edge/report.js';
import { edgeReplay } from '../../../workers/edge/replay-bundle.js';

const IDS = ['cmp_EDGE0000000001', 'cmp_EDGE0000000002', 'cmp_EDGE0000000003'];
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
let signer: SigningKey;
let other: SigningKey;

async function keyInDir(): Promise<SigningKey> {
  const file = join(tmp('edge-key-'), 'private.jwk');
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  writeFileSync(file, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  return loadOrCreateSigningKey({ file });
}

before(async () => {
  [signer, other] = await Promise.all([keyInDir(), keyInDir()]);
});

async function bundle(events: (id: string) => AuditEvent[] = buildVrsExample, { signed = true } = {}): Promise<string> {
  const dir = tmp('edge-bundle-');
  await writeBundle(dir, IDS.map((id) => ({ composition_id: id, workflow_id: id, events: events(id), runs: [] })), { selection: { test: 'edge' }, ...(signed ? { signingKey: signer } : {}) });
  return dir;
}

const replay = (dir: string, publicKey = signer.publicJwk): Promise<EdgeReport> => edgeReplay(dir, { eventsOnly: true, publicKey });
const kinds = (r: EdgeReport) => r.mismatches.map((m) => m.kind);
const eventsPath = (dir: string) => join(dir, EVENTS_FILE);
const linesOf = (dir: string) => readFileSync(eventsPath(dir), 'utf8').split('\n').slice(0, -1);

test('an intact signed bundle of three §7b compositions passes: chain, lifecycle, invariants, hashes, pinned signature', async () => {
  const report = await replay(await bundle());
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.ok, true);
  assert.equal(report.mode, 'events-only');
  assert.deepEqual([report.compositions, report.events, report.states], [3, 27, { closed: 3 }]);
  assert.deepEqual([report.signature.ok, report.signature.pinned, report.signature.thumbprint], [true, true, signer.kid]);
  assert.equal(report.runs_replayed, undefined);
});

test('every one-byte edit of an event fails, and the first mismatch names that event', async () => {
  const dir = await bundle();
  const original = readFileSync(eventsPath(dir));
  const lines = linesOf(dir);
  const target = 13; // the 5th event of the second composition
  const eventId = (JSON.parse(lines[target]!) as AuditEvent).event_id;
  assert.equal(eventId, 'evt_EDGE0000000002_005');
  const start = lines.slice(0, target).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const length = Buffer.byteLength(lines[target]!);
  const seen = new Set<string>();
  for (let offset = start; offset < start + length; offset++) {
    const edited = Buffer.from(original);
    edited[offset] = edited[offset] === 0x61 ? 0x62 : 0x61; // 'a', or 'b' where there was an 'a'
    writeFileSync(eventsPath(dir), edited);
    const report = await replay(dir);
    const first = report.mismatches[0];
    assert.equal(report.ok, false, `byte ${offset - start}`);
    assert.equal(first?.event_id, eventId, `byte ${offset - start} (${String.fromCharCode(original[offset]!)}): ${JSON.stringify(report.mismatches.slice(0, 3))}`);
    assert.ok(kinds(report).includes('file_hash_mismatch'));
    seen.add(first.kind);
  }
  // Which check catches an edit depends on where it lands.
  assert.ok(seen.has('hash_mismatch') && seen.has('invalid_event'), [...seen].join(', '));
});

test('a dropped event is a sequence_gap naming it; a cut tail is truncated against the manifest head', async () => {
  const dir = await bundle();
  const lines = linesOf(dir);
  writeFileSync(eventsPath(dir), [...lines.slice(0, 12), ...lines.slice(13)].map((l) => `${l}\n`).join(''));
  const gap = await replay(dir);
  assert.equal(gap.ok, false);
  assert.deepEqual(gap.mismatches[0], {
    composition_id: 'cmp_EDGE0000000002',
    event_id: 'evt_EDGE0000000002_004',
    kind: 'sequence_gap',
    detail: 'sequence 5 follows 3: evt_EDGE0000000002_004 is missing (the line holds evt_EDGE0000000002_005)',
    line: 12,
  });
  assert.ok(kinds(gap).includes('count_mismatch') && kinds(gap).includes('file_hash_mismatch'));

  writeFileSync(eventsPath(dir), [...lines.slice(0, 17), ...lines.slice(18)].map((l) => `${l}\n`).join(''));
  const cut = await replay(dir);
  assert.equal(cut.mismatches[0]!.kind, 'truncated');
  assert.equal(cut.mismatches[0]!.event_id, 'evt_EDGE0000000002_009');
});

test('a wrong or corrupted signature fails, named; a re-signed or unsigned bundle fails unless --allow-unsigned, and nothing else is read', async () => {
  const dir = await bundle();
  const wrongKey = await replay(dir, other.publicJwk);
  assert.deepEqual(kinds(wrongKey), ['signature_wrong_key']);
  assert.equal(wrongKey.mismatches[0]!.detail, `signed by key ${signer.kid}, not by the pinned key ${other.kid}`);

  const manifest = readFileSync(join(dir, 'manifest.json'));
  writeFileSync(join(dir, SIGNATURE_FILE), await signManifest(manifest, other)); // re-signed by someone else
  assert.deepEqual(kinds(await replay(dir)), ['signature_wrong_key']);
  const unpinned = await edgeReplay(dir, { eventsOnly: true });
  assert.deepEqual(kinds(unpinned), ['signature_not_pinned'], 'a signature checked only against the key the bundle carries proves nothing');
  assert.equal(unpinned.events, 0, 'it stops there: not a line of events.jsonl was read');
  const allowed = await edgeReplay(dir, { eventsOnly: true, allowUnsigned: true });
  assert.equal(allowed.ok, true, 'integrity holds: the bundle is what its (unpinned) signer signed');
  assert.deepEqual([allowed.signature.pinned, allowed.signature.thumbprint], [false, other.kid]);

  const [header, , sig] = (await signManifest(manifest, signer)).split('.');
  writeFileSync(join(dir, SIGNATURE_FILE), `${header}..${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`);
  assert.deepEqual(kinds(await replay(dir)), ['signature_invalid']);

  const unsigned = await bundle(buildVrsExample, { signed: false });
  assert.deepEqual(kinds(await replay(unsigned)), ['signature_missing']);
  assert.deepEqual(kinds(await edgeReplay(unsigned, { eventsOnly: true })), ['signature_missing'], 'unsigned is refused by default');
  assert.equal((await edgeReplay(unsigned, { eventsOnly: true, allowUnsigned: true })).ok, true, 'an unsigned bundle with --allow-unsigned: content checks only');
});

test('a line that is valid JSON but not canonical is named', async () => {
  const dir = await bundle();
  const lines = linesOf(dir);
  lines[3] = JSON.stringify(JSON.parse(lines[3]!), null, 1).replaceAll('\n', '');
  writeFileSync(eventsPath(dir), lines.map((l) => `${l}\n`).join(''));
  const report = await replay(dir);
  assert.deepEqual(report.mismatches[0], {
    composition_id: 'cmp_EDGE0000000001',
    event_id: 'evt_EDGE0000000001_004',
    kind: 'not_canonical',
    detail: 'the line is not the RFC 8785 canonical JSON of its event',
    line: 3,
  });
});

test('a chain that holds but whose lifecycle does not: invalid path, and a composition left open', async () => {
  // The claim step dropped, the rest chained properly: the lens run starts without a lease.
  const withoutClaim = (id: string) => {
    let head = EMPTY_CHAIN;
    return vrsScreeningSteps()
      .filter((s) => s.schemaId !== SCHEMA_IDS.leaseClaimed)
      .map((s) => {
        const next = appendToChain(head, { schema_id: s.schemaId, composition_id: id, ts_utc: s.ts, actor: s.actor, ...(s.agent ? { agent: s.agent } : {}), auth: s.auth, payload: s.payload, abac_decision: s.abac } as EventDraft);
        head = next.head;
        return next.event;
      });
  };
  const invalid = await replay(await bundle(withoutClaim));
  assert.equal(invalid.mismatches[0]!.kind, 'lifecycle_invalid');
  assert.equal(invalid.mismatches[0]!.event_id, 'evt_EDGE0000000001_002');
  assert.equal(invalid.mismatches[0]!.detail, 'step 1 (coordination.lens_run_started.v1): ERR_WRONG_STATE — coordination.lens_run_started.v1 is not allowed in state "requested"');

  const open = await replay(await bundle((id) => buildVrsExample(id).slice(0, 6)));
  assert.deepEqual(open.mismatches.map((m) => [m.kind, m.event_id]), IDS.map((id) => ['not_terminal', `evt_${id.slice(4)}_006`]));
  assert.deepEqual(open.states, { evidence: 3 });
});

test('the CLI in events-only mode: JSON report, exit codes, and no native module or heavy client library loaded', async () => {
  const dir = await bundle();
  const keyFile = join(tmp('edge-pub-'), 'public.jwk');
  writeFileSync(keyFile, JSON.stringify(signer.publicJwk));
  const run = () =>
    spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/unit/edge/fixtures/report-modules.mjs', 'cli/main.ts', 'edge', 'replay', dir, '--events-only', '--key', keyFile, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const ok = run();
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const report = JSON.parse(ok.stdout) as EdgeReport;
  assert.deepEqual([report.ok, report.compositions, report.events, report.mismatches], [true, 3, 27, []]);
  const loaded = JSON.parse(/@@loaded (.*)/.exec(ok.stderr)![1]!) as { native: string[]; packages: string[] };
  assert.deepEqual(loaded, { native: [], packages: [] });

  writeFileSync(eventsPath(dir), readFileSync(eventsPath(dir), 'utf8').replace('"seed":42', '"seed":43'));
  const failed = run();
  assert.equal(failed.status, 1);
  assert.equal((JSON.parse(failed.stdout) as EdgeReport).mismatches[0]!.event_id, 'evt_EDGE0000000001_002');
});
