// Emitter signatures in an export: signatures.jsonl beside events.jsonl, checked by the edge worker and
// `coord audit verify` against pinned emitter keys — an unsigned event, a stranger's signature, a signature
// moved onto another event, a deleted signatures.jsonl, each fail naming the event; a rotated-out key still
// verifies what it signed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EMITTER_SIGNATURES_FILE, EVENTS_FILE } from '../../../audit/bundle/format.js';
import { writeBundle } from '../../../audit/bundle/write.js';
import { EmitterKeyring, type EmitterSigner } from '../../../audit/emitter-signature.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { ROOT } from '../../../config/paths.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { edgeReplay } from '../../../workers/edge/replay-bundle.js';
import { testEmitter } from '../../helpers/emitter.js';

const IDS = ['cmp_SIGN0000000001', 'cmp_SIGN0000000002'];
const old = testEmitter();
const current = testEmitter();
const pinned = new EmitterKeyring([current.signer.publicJwk, old.signer.publicJwk]);

/** A bundle whose first composition was signed by the old (rotated-out) key and the second by the current one. */
async function bundle(sign: (e: AuditEvent, i: number) => EmitterSigner | undefined = (e) => (e.composition_id === IDS[0] ? old.signer : current.signer)): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'emitter-bundle-'));
  await writeBundle(
    dir,
    IDS.map((id) => {
      const events = buildVrsExample(id);
      const signatures = new Map(events.flatMap((e, i) => { const s = sign(e, i); return s ? [[e.event_id, s.sign(e.this_hash)] as const] : []; }));
      return { composition_id: id, workflow_id: id, events, runs: [], signatures };
    }),
    { selection: {} },
  );
  return dir;
}

const edge = async (dir: string, emitters = pinned) => (await edgeReplay(dir, { eventsOnly: true, emitters, allowUnsigned: true })).mismatches.map((m) => [m.kind, m.event_id]);

test('an export carries each event’s emitter signature; both keys of a rotation verify what they signed', async () => {
  const dir = await bundle();
  assert.deepEqual(await edge(dir), []);
  const lines = readFileSync(join(dir, EMITTER_SIGNATURES_FILE), 'utf8').trim().split('\n');
  assert.equal(lines.length, readFileSync(join(dir, EVENTS_FILE), 'utf8').trim().split('\n').length, 'line for line');
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), ['event_id', 'kid', 'sig']);
  assert.deepEqual(await edge(dir, new EmitterKeyring([current.signer.publicJwk])), [['emitter_unknown_signer', 'evt_SIGN0000000001_001']], 'a key no longer pinned (compromised) vouches for nothing');
});

test('an unsigned event, a stranger’s signature, a signature of another event: each named', async () => {
  const stranger = testEmitter().signer;
  assert.deepEqual(await edge(await bundle((e, i) => (e.composition_id === IDS[1] && i === 3 ? undefined : current.signer))), [['emitter_signature_missing', 'evt_SIGN0000000002_004']]);
  assert.deepEqual(await edge(await bundle((e, i) => (e.composition_id === IDS[0] && i === 6 ? stranger : current.signer))), [['emitter_unknown_signer', 'evt_SIGN0000000001_007']]);

  const dir = await bundle(() => current.signer);
  const file = join(dir, EMITTER_SIGNATURES_FILE);
  const lines = readFileSync(file, 'utf8').split('\n');
  const moved = JSON.parse(lines[2]!) as { sig: string };
  lines[1] = JSON.stringify({ ...(JSON.parse(lines[1]!) as object), sig: moved.sig });
  writeFileSync(file, lines.join('\n'));
  const kinds = await edge(dir);
  assert.deepEqual(kinds[0], ['emitter_signature_invalid', 'evt_SIGN0000000001_002']);
  assert.ok(kinds.some(([k]) => k === 'file_hash_mismatch'), 'and the manifest no longer matches the file');
});

test('a deleted signatures.jsonl fails with the emitter keys pinned, and the manifest says the file is missing', async () => {
  const dir = await bundle();
  rmSync(join(dir, EMITTER_SIGNATURES_FILE));
  const kinds = await edge(dir);
  assert.deepEqual(kinds[0], ['emitter_signature_missing', 'evt_SIGN0000000001_001']);
  assert.ok(kinds.some(([k]) => k === 'file_missing'));
});

test('coord audit verify --emitter-key checks the signatures beside events.jsonl', async () => {
  const dir = await bundle((e, i) => (e.composition_id === IDS[1] && i === 8 ? undefined : e.composition_id === IDS[0] ? old.signer : current.signer));
  const keys = join(dir, 'emitter-keys.json');
  writeFileSync(keys, JSON.stringify({ keys: [current.signer.publicJwk, old.signer.publicJwk] }));
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'audit', 'verify', '--file', join(dir, EVENTS_FILE), '--json', ...args], { cwd: ROOT, encoding: 'utf8' });
  const unchecked = run();
  assert.equal(unchecked.status, 0, unchecked.stderr);
  const checked = run('--emitter-key', keys);
  assert.equal(checked.status, 1, checked.stdout);
  const { first_break } = JSON.parse(checked.stdout) as { first_break: { kind: string; event_id: string } };
  assert.deepEqual([first_break.kind, first_break.event_id], ['emitter_signature_missing', 'evt_SIGN0000000002_009']);
});
