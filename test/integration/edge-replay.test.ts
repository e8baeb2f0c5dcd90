// The edge lite worker on a real export: the §7b VRS screening driven through the gateway, its events read
// back from the audit topic and its history from Temporal, written as a signed bundle — which holds no
// bearer token, and which `coord edge replay` (no server, no network) replays through the workflow code
// byte for byte. A history edited behind the events' back (hash fixed, re-signed) fails only at replay,
// naming the event and the field; a history the workflow code cannot have produced is a nondeterminism.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair } from 'jose';
import { canonicalJson } from '../../audit/canonical.js';
import { digestFile } from '../../audit/bundle/digest.js';
import { EVENTS_FILE, HISTORY_FILE, MANIFEST_FILE, SIGNATURE_FILE, type Manifest } from '../../audit/bundle/format.js';
import { signManifest } from '../../audit/bundle/signature.js';
import { loadOrCreateSigningKey, type SigningKey } from '../../ledger/signing-key.js';
import { writeBundle } from '../../audit/bundle/write.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { runEdgeBench } from '../../bench/edge.js';
import { loadCodecKeys } from '../../client/codec-keys.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { fetchAllRunHistories } from '../../client/histories.js';
import { EncryptionCodec } from '../../client/payload-codec.js';
import { temporalEndpoint, temporalNamespace } from '../../config/endpoints.js';
import { ROOT } from '../../config/paths.js';
import type { EdgeReport } from '../../workers/edge/report.js';
import '../helpers/quiet-temporal.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

const compositionId = newCompositionId();
const dir = mkdtempSync(join(tmpdir(), 'edge-export-'));
const publicKeyFile = join(dir, '..', `${compositionId}.public.jwk`);
let key: SigningKey;
let manifest: Manifest;

const fx = gatewayFixture('edge', async (fx) => {
  const steps = await runVrsScreening(fx.http, fx.tokens, compositionId);
  assert.equal(steps.at(-1)?.status, 200, JSON.stringify(steps.at(-1)));
  const events = distinct(await topicEvents(compositionId));
  const connection = await Connection.connect({ address: temporalEndpoint().address });
  try {
    const runs = await fetchAllRunHistories(new Client({ connection, namespace: temporalNamespace() }), compositionId);
    const keyFile = join(mkdtempSync(join(tmpdir(), 'edge-key-')), 'private.jwk');
    writeFileSync(keyFile, JSON.stringify(await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey)), { mode: 0o600 });
    key = await loadOrCreateSigningKey({ file: keyFile });
    writeFileSync(publicKeyFile, JSON.stringify(key.publicJwk));
    manifest = await writeBundle(dir, [{ composition_id: compositionId, workflow_id: compositionId, events, runs }], {
      selection: { composition_id: compositionId },
      signingKey: key,
      codec: new EncryptionCodec(loadCodecKeys()),
    });
  } finally {
    await connection.close();
  }
});

function edgeReplay(bundle: string, ...flags: string[]): { status: number | null; report: EdgeReport; stderr: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'edge', 'replay', bundle, '--key', publicKeyFile, '--json', ...flags], { cwd: ROOT, encoding: 'utf8' });
  assert.ok(res.stdout.trim(), res.stderr);
  return { status: res.status, report: JSON.parse(res.stdout) as EdgeReport, stderr: res.stderr };
}

type JsonPayload = { metadata: { encoding: string }; data?: string };
/** Every payload of history.json, through `visit` (which may change it in place). */
function walkPayloads(value: unknown, visit: (p: JsonPayload) => void): void {
  if (Array.isArray(value)) value.forEach((v) => walkPayloads(v, visit));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof (o.metadata as { encoding?: unknown } | undefined)?.encoding === 'string') visit(o as unknown as JsonPayload);
    else Object.values(o).forEach((v) => walkPayloads(v, visit));
  }
}
const decoded = (p: JsonPayload) => Buffer.from(p.data ?? '', 'base64').toString('utf8');

/** A copy of the bundle whose history.json was edited, its manifest hash fixed up and re-signed with the same key. */
async function withEditedHistory(edit: (history: { compositions: { runs: { events: Record<string, unknown>[] }[] }[] }) => void): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'edge-edited-'));
  cpSync(dir, copy, { recursive: true });
  const history = JSON.parse(readFileSync(join(copy, HISTORY_FILE), 'utf8')) as Parameters<typeof edit>[0];
  edit(history);
  writeFileSync(join(copy, HISTORY_FILE), canonicalJson(history));
  const m = JSON.parse(readFileSync(join(copy, MANIFEST_FILE), 'utf8')) as Manifest;
  m.files[HISTORY_FILE] = await digestFile(join(copy, HISTORY_FILE));
  const bytes = Buffer.from(canonicalJson(m));
  writeFileSync(join(copy, MANIFEST_FILE), bytes);
  writeFileSync(join(copy, SIGNATURE_FILE), await signManifest(bytes, key));
  return copy;
}

test('the export holds the nine events, one run, and no bearer token anywhere — history payloads decoded and redacted', () => {
  assert.deepEqual(manifest.counts, { compositions: 1, events: 9, runs: 1 });
  const files = [EVENTS_FILE, HISTORY_FILE, MANIFEST_FILE].map((f) => readFileSync(join(dir, f), 'utf8'));
  const payloads: string[] = [];
  walkPayloads(JSON.parse(files[1]!), (p) => {
    assert.notEqual(Buffer.from(p.metadata.encoding, 'base64').toString(), 'binary/encrypted', 'an encrypted payload in the export');
    payloads.push(decoded(p));
  });
  const everything = [...files, ...payloads].join('\n');
  for (const token of Object.values(fx.tokens)) assert.ok(!everything.includes(token), 'a bearer token in the export');
  assert.doesNotMatch(everything, /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./);
  assert.ok(payloads.some((p) => p.includes('[redacted bearer token]')));
});

test('coord edge replay: the history replays through the workflow code to exactly the exported events', () => {
  const { status, report, stderr } = edgeReplay(dir);
  assert.equal(status, 0, JSON.stringify(report.mismatches) + stderr);
  assert.equal(report.ok, true);
  assert.equal(report.mode, 'full');
  assert.deepEqual([report.compositions, report.events, report.runs_replayed, report.states], [1, 9, 1, { closed: 1 }]);
  assert.deepEqual([report.signature.ok, report.signature.pinned, report.signature.thumbprint], [true, true, key.kid]);
  assert.deepEqual(report.mismatches, []);
});

test('an edited history value (hash fixed up, re-signed) passes every check but replay, which names the event and field', async () => {
  const edited = await withEditedHistory((history) => {
    // The opening `request` update's input: the caller's payload, the lens version among it.
    const accepted = history.compositions[0]!.runs[0]!.events.find(
      (e) => (e.workflowExecutionUpdateAcceptedEventAttributes as { acceptedRequest?: { input?: { name?: string } } } | undefined)?.acceptedRequest?.input?.name === 'request',
    );
    let changed = 0;
    walkPayloads(accepted, (p) => {
      const text = decoded(p);
      p.data = Buffer.from(text.replace('"lens_version":"2.0.0"', '"lens_version":"2.0.1"')).toString('base64');
      changed += Number(decoded(p) !== text);
    });
    assert.equal(changed, 1, 'the request update carries lens_version once');
  });
  const eventsOnly = edgeReplay(edited, '--events-only');
  assert.equal(eventsOnly.report.ok, true, 'the signature, the hashes and the events all hold');
  const { status, report } = edgeReplay(edited);
  assert.equal(status, 1);
  assert.deepEqual(report.mismatches, [
    {
      composition_id: compositionId,
      event_id: `evt_${compositionId.slice(4)}_001`,
      kind: 'event_mismatch',
      detail: 'payload, this_hash differ; payload.lens_version: replay builds "2.0.1", events.jsonl has "2.0.0"',
      fields: ['payload', 'this_hash'],
    },
  ]);
});

test('a history the workflow code cannot have produced fails as a nondeterminism', async () => {
  let fastPath = true;
  const edited = await withEditedHistory((history) => {
    // The run's first side effect claims to have been another activity: a regular activity's scheduled event
    // (histories from before the fast path) or, on the fast path, the local activity's marker.
    const first = history.compositions[0]!.runs[0]!.events.find(
      (e) => e.activityTaskScheduledEventAttributes || (e.markerRecordedEventAttributes as { markerName?: string } | undefined)?.markerName === 'core_local_activity',
    )!;
    const scheduled = first.activityTaskScheduledEventAttributes as { activityType: { name: string } } | undefined;
    if (scheduled) {
      assert.equal(scheduled.activityType.name, 'verifyToken');
      scheduled.activityType.name = 'verifyTokenElsewhere';
      fastPath = false;
      return;
    }
    const meta = (first.markerRecordedEventAttributes as { details: { data: { payloads: JsonPayload[] } } }).details.data.payloads[0]!;
    const data = JSON.parse(decoded(meta)) as { activity_type: string };
    assert.equal(data.activity_type, 'verifyToken');
    meta.data = Buffer.from(JSON.stringify({ ...data, activity_type: 'verifyTokenElsewhere' })).toString('base64');
  });
  const { status, report } = edgeReplay(edited);
  assert.equal(status, 1);
  // A regular activity's schedule is matched as the command is issued: nothing replays. A local activity's
  // marker is matched when the workflow task's commands are, after the handler ran to its end: the task's
  // event was built, and the report names the first event after it.
  const edgeOfReplay = fastPath ? 1 : 0;
  assert.deepEqual(report.mismatches.map((m) => [m.kind, m.composition_id, m.event_id]), [['nondeterminism', compositionId, `evt_${compositionId.slice(4)}_00${edgeOfReplay + 1}`]]);
  assert.match(report.mismatches[0]!.detail, new RegExp(`^run 1 of 1 does not replay after ${edgeOfReplay} event\\(s\\): `));
});

test('an edited event fails both modes naming it', () => {
  const copy = mkdtempSync(join(tmpdir(), 'edge-edited-'));
  cpSync(dir, copy, { recursive: true });
  const file = join(copy, EVENTS_FILE);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"lens_version":"2.0.0"', '"lens_version":"2.0.1"'));
  for (const flags of [['--events-only'], []]) {
    const { status, report } = edgeReplay(copy, ...flags);
    assert.equal(status, 1);
    assert.deepEqual([report.mismatches[0]!.kind, report.mismatches[0]!.event_id], ['hash_mismatch', `evt_${compositionId.slice(4)}_001`]);
  }
});

test('the edge benchmark in miniature reports both modes in its JSON shape (no timing asserted)', async () => {
  const result = await runEdgeBench({ compositions: 20, fullCompositions: 2 });
  assert.equal(result.benchmark, 'edge');
  assert.deepEqual([result.events_only.ok, result.events_only.compositions, result.events_only.events], [true, 20, 180]);
  assert.deepEqual([result.full?.ok, result.full?.compositions, result.full?.runs], [true, 2, 2]);
  for (const mode of [result.events_only, result.full!]) {
    assert.ok(mode.peak_rss_mb > 0 && Number.isFinite(mode.peak_rss_mb), JSON.stringify(mode));
    assert.ok(mode.compositions_per_s > 0, JSON.stringify(mode));
  }
});
