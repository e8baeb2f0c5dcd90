// Bundles as seed 004 and a hostile auditor's file would have them. HMAC-SHA256 bundles (seed 004, shared-secret deployments): `--sign hmac` writes an HS256 bundle.jws named by
// the key's thumbprint and carrying no key; it verifies only with the same secret — another secret, an
// Ed25519 key, or no key at all each fail, named — and an edited manifest breaks it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { MANIFEST_FILE, SIGNATURE_FILE } from '../../../audit/bundle/format.js';
import { readHmacKey } from '../../../audit/bundle/signing-key.js';
import { verifyBundle } from '../../../audit/bundle/verify.js';
import { writeBundle } from '../../../audit/bundle/write.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { MAX_LINE_BYTES } from '../../../workers/edge/lines.js';
import { edgeReplay } from '../../../workers/edge/replay-bundle.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
function hmacKey(bytes = 32) {
  const file = join(tmp('hmac-key-'), 'hmac.jwk');
  writeFileSync(file, JSON.stringify({ kty: 'oct', k: randomBytes(bytes).toString('base64url') }), { mode: 0o600 });
  return file;
}
const ID = 'cmp_HMAC0000000001';

async function bundle(keyFile: string): Promise<string> {
  const dir = tmp('hmac-bundle-');
  await writeBundle(dir, [{ composition_id: ID, workflow_id: ID, events: buildVrsExample(ID), runs: [] }], { selection: {}, signingKey: readHmacKey(keyFile) });
  return dir;
}

test('an HS256 bundle verifies with its shared secret only, and carries no key', async () => {
  const keyFile = hmacKey();
  const dir = await bundle(keyFile);
  const header = decodeProtectedHeader(readFileSync(join(dir, SIGNATURE_FILE), 'utf8'));
  assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid']);
  assert.deepEqual([header.alg, header.kid], ['HS256', readHmacKey(keyFile).kid]);

  const good = await verifyBundle(dir, { publicKey: readHmacKey(keyFile) });
  assert.deepEqual([good.ok, good.signature.alg], [true, 'HS256']);
  const edge = await edgeReplay(dir, { eventsOnly: true, publicKey: readHmacKey(keyFile) });
  assert.deepEqual(edge.mismatches, []);

  assert.deepEqual((await verifyBundle(dir, { publicKey: readHmacKey(hmacKey()) })).problems.map((p) => p.kind), ['signature_wrong_key'], 'another secret');
  assert.deepEqual((await edgeReplay(dir, { eventsOnly: true })).mismatches.map((m) => m.kind), ['signature_wrong_key'], 'no secret: nothing to check it with');
});

test('an edited manifest breaks the HMAC; a key shorter than 32 bytes is refused', async () => {
  const keyFile = hmacKey();
  const dir = await bundle(keyFile);
  const manifest = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  writeFileSync(join(dir, MANIFEST_FILE), manifest.replace('"events":9', '"events":8'));
  const edited = await verifyBundle(dir, { publicKey: readHmacKey(keyFile) });
  assert.ok(edited.problems.some((p) => p.kind === 'signature_invalid'), JSON.stringify(edited.problems));
  assert.throws(() => readHmacKey(hmacKey(16)), /at least 32 bytes/);
});

test('a hostile export: a line of events.jsonl longer than the limit is named, hashed, never parsed', async () => {
  const keyFile = hmacKey();
  const dir = await bundle(keyFile);
  const file = join(dir, 'events.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[2] = `{"pad":"${'x'.repeat(3 * MAX_LINE_BYTES)}"}`;
  writeFileSync(file, lines.join('\n'));
  const report = await edgeReplay(dir, { eventsOnly: true, publicKey: readHmacKey(keyFile) });
  const long = report.mismatches.find((m) => m.kind === 'line_too_long');
  assert.deepEqual([long?.event_id, long?.line], ['evt_HMAC0000000001_003', 2], JSON.stringify(report.mismatches.slice(0, 3)));
  assert.ok(report.mismatches.some((m) => m.kind === 'file_hash_mismatch'), 'the file is still hashed whole');
});
