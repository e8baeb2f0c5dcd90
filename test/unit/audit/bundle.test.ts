// Export bundles: the same export twice is byte-identical, every file is canonical and hashed by the
// manifest, and the detached EdDSA signature holds only for the manifest and the key it was made with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { canonicalJson, sha256Ref } from '../../../audit/canonical.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { EMITTER_SIGNATURES_FILE, EVENTS_FILE, HISTORY_FILE, MANIFEST_FILE, SIGNATURE_FILE, type Manifest } from '../../../audit/bundle/format.js';
import { loadOrCreateSigningKey, readPublicJwk, type SigningKey } from '../../../ledger/signing-key.js';
import { verifyBundle } from '../../../audit/bundle/verify.js';
import { writeBundle, type BundleComposition } from '../../../audit/bundle/write.js';
import { ROOT } from '../../../config/paths.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const ids = ['cmp_BUNDLE0000000003', 'cmp_BUNDLE0000000001', 'cmp_BUNDLE0000000002'];
/** Compositions given out of order, events reversed and one duplicated: the writer orders and dedupes. */
const compositions = (): BundleComposition[] =>
  ids.map((id) => {
    const events = buildVrsExample(id);
    return { composition_id: id, workflow_id: id, events: [...events].reverse().concat(events[0]!), runs: [] };
  });
const selection = { composition_type: 'vrs_screening', since: '2026-04-30' };

let keys: Promise<{ a: SigningKey; aPublic: string; b: SigningKey; bPublic: string }> | undefined;
/** Two keys, each in a key file of its own (COORD_SIGNING_KEY_FILE-style), with their public JWK files. */
function testKeys() {
  keys ??= (async () => {
    const load = async (name: string) => {
      const dir = tmp(`signing-${name}-`);
      const key = await loadOrCreateSigningKey({ file: await devStyleKey(dir) });
      const pub = join(dir, 'public.jwk');
      writeFileSync(pub, JSON.stringify(key.publicJwk));
      return { key, pub };
    };
    const [a, b] = await Promise.all([load('a'), load('b')]);
    return { a: a.key, aPublic: a.pub, b: b.key, bPublic: b.pub };
  })();
  return keys;
}

/** A private JWK file made the way the dev default is (generated, then read through COORD_SIGNING_KEY_FILE). */
async function devStyleKey(dir: string): Promise<string> {
  const { generateKeyPair, exportJWK } = await import('jose');
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const file = join(dir, 'private.jwk');
  writeFileSync(file, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });
  return file;
}

const filesOf = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));

test('two exports of the same compositions are byte-identical, signature included', async () => {
  const { a } = await testKeys();
  const [one, two] = [tmp('bundle-1-'), tmp('bundle-2-')];
  await writeBundle(one, compositions(), { selection, signingKey: a });
  await writeBundle(two, compositions().reverse(), { selection, signingKey: a });
  assert.deepEqual(Object.keys(filesOf(one)), [SIGNATURE_FILE, EVENTS_FILE, HISTORY_FILE, MANIFEST_FILE, EMITTER_SIGNATURES_FILE].sort());
  assert.deepEqual(filesOf(one), filesOf(two));
});

test('events.jsonl is canonical, one event per line, ordered by composition then sequence; the manifest says so', async () => {
  const dir = tmp('bundle-');
  const manifest = await writeBundle(dir, compositions(), { selection });
  const text = readFileSync(join(dir, EVENTS_FILE), 'utf8');
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length, 27, 'the duplicate is dropped');
  for (const line of lines) assert.equal(canonicalJson(JSON.parse(line)), line);
  const order = lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id);
  assert.deepEqual(order, [...order].sort());
  assert.equal(order[0], 'evt_BUNDLE0000000001_001');

  const history = readFileSync(join(dir, HISTORY_FILE), 'utf8');
  assert.equal(canonicalJson(JSON.parse(history)), history);
  assert.deepEqual(JSON.parse(history), {
    compositions: [...ids].sort().map((id) => ({ composition_id: id, workflow_id: id, runs: [] })),
    format: 'coordination-ledger.history.v1',
  });

  const bytes = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  assert.equal(bytes, canonicalJson(manifest));
  assert.doesNotMatch(bytes, /20\d\d-\d\d-\d\dT/, 'no timestamps in the manifest');
  const last = buildVrsExample(ids[1]!).at(-1)!;
  assert.deepEqual(manifest.counts, { compositions: 3, events: 27, runs: 0 });
  assert.deepEqual(manifest.selection, selection);
  assert.deepEqual(manifest.compositions[0], { composition_id: ids[1], events: 9, head: { sequence: 9, this_hash: last.this_hash } });
  assert.deepEqual(manifest.files[EVENTS_FILE], { sha256: sha256Ref(Buffer.from(text)), bytes: Buffer.byteLength(text) });
  assert.deepEqual(manifest.files[HISTORY_FILE], { sha256: sha256Ref(Buffer.from(history)), bytes: Buffer.byteLength(history) });
  assert.equal(existsSync(join(dir, SIGNATURE_FILE)), false, 'unsigned without a key');
});

test('compositions streamed out of order, and events of another composition, are refused', async () => {
  async function* unordered() {
    yield* compositions();
  }
  await assert.rejects(writeBundle(tmp('bundle-'), unordered(), { selection }), /increasing composition_id order/);
  const [c] = compositions();
  await assert.rejects(writeBundle(tmp('bundle-'), [{ ...c!, events: buildVrsExample('cmp_OTHER') }], { selection }), /evt_OTHER_001 is not an event id of composition cmp_BUNDLE0000000003/);
});

test('bundle.jws is a detached EdDSA JWS over manifest.json: kid is the RFC 7638 thumbprint, the public jwk rides in the header', async () => {
  const { a } = await testKeys();
  const dir = tmp('bundle-');
  await writeBundle(dir, compositions(), { selection, signingKey: a });
  const jws = readFileSync(join(dir, SIGNATURE_FILE), 'utf8');
  assert.match(jws, /^[\w-]+\.\.[\w-]+$/);
  const header = decodeProtectedHeader(jws);
  assert.equal(header.alg, 'EdDSA');
  assert.equal(header.kid, a.kid);
  assert.deepEqual(header.jwk, a.publicJwk);
  assert.equal('d' in (header.jwk as object), false);
});

test('verifyBundle: ok against the pinned key, and against the carried key (reported as not pinned)', async () => {
  const { a, aPublic } = await testKeys();
  const dir = tmp('bundle-');
  await writeBundle(dir, compositions(), { selection, signingKey: a });
  const pinned = await verifyBundle(dir, { publicKey: readPublicJwk(aPublic) });
  assert.deepEqual(pinned.problems, []);
  assert.equal(pinned.ok, true);
  assert.deepEqual([pinned.signature.pinned, pinned.signature.thumbprint], [true, a.kid]);
  assert.equal(pinned.files[EVENTS_FILE]!.ok, true);
  const carried = await verifyBundle(dir);
  assert.equal(carried.ok, true);
  assert.deepEqual([carried.signature.pinned, carried.signature.thumbprint], [false, a.kid]);
});

test('verifyBundle: the wrong key, an edited manifest, an edited file, a corrupted signature, no signature — each named', async () => {
  const { a, b, bPublic } = await testKeys();
  const signed = async () => {
    const dir = tmp('bundle-');
    await writeBundle(dir, compositions(), { selection, signingKey: a });
    return dir;
  };
  const kinds = async (dir: string, publicKey = readPublicJwk(bPublic)) => (await verifyBundle(dir, { publicKey })).problems.map((p) => p.kind);

  const wrongKey = await verifyBundle(await signed(), { publicKey: readPublicJwk(bPublic) });
  assert.equal(wrongKey.ok, false);
  assert.deepEqual(wrongKey.problems.map((p) => p.kind), ['signature_wrong_key']);
  assert.equal(wrongKey.problems[0]!.detail, `signed by key ${a.kid}, not by the pinned key ${b.kid}`);

  // An edit of the manifest that keeps it canonical and well-formed: only the signature can tell.
  const editedManifest = await signed();
  const manifest = JSON.parse(readFileSync(join(editedManifest, MANIFEST_FILE), 'utf8')) as Manifest;
  manifest.selection = { ...selection, since: '2026-01-01' };
  writeFileSync(join(editedManifest, MANIFEST_FILE), canonicalJson(manifest));
  const edited = await verifyBundle(editedManifest);
  assert.deepEqual(edited.problems.map((p) => p.kind), ['signature_invalid']);
  assert.match(edited.problems[0]!.detail, /does not hold for manifest\.json/);

  // The manifest's hash of a file edited (to match an edited file): the signature no longer holds either.
  const editedHash = await signed();
  const m2 = JSON.parse(readFileSync(join(editedHash, MANIFEST_FILE), 'utf8')) as Manifest;
  m2.files[EVENTS_FILE].sha256 = `sha256:${'0'.repeat(64)}`;
  writeFileSync(join(editedHash, MANIFEST_FILE), canonicalJson(m2));
  const hashProblems = (await verifyBundle(editedHash)).problems;
  assert.deepEqual(hashProblems.map((p) => [p.kind, p.file]), [['signature_invalid', 'bundle.jws'], ['file_hash_mismatch', EVENTS_FILE]]);

  // A file edited behind the manifest's back.
  const editedFile = await signed();
  const events = join(editedFile, EVENTS_FILE);
  writeFileSync(events, readFileSync(events, 'utf8').replace('FIRM-CUST-789012', 'FIRM-CUST-789013'));
  const fileProblems = (await verifyBundle(editedFile)).problems;
  assert.deepEqual(fileProblems.map((p) => p.kind), ['file_hash_mismatch']);
  assert.match(fileProblems[0]!.detail, /^events\.jsonl is sha256:[0-9a-f]{64} \(\d+ bytes\), the manifest says sha256:/);

  const corrupted = await signed();
  const jws = readFileSync(join(corrupted, SIGNATURE_FILE), 'utf8');
  const [header, , signature] = jws.split('.');
  const bits = Buffer.from(signature!, 'base64url');
  bits[0] = bits[0]! ^ 0x01; // one bit of the signature itself (editing its base64 text could leave the bytes unchanged)
  writeFileSync(join(corrupted, SIGNATURE_FILE), `${header}..${bits.toString('base64url')}`);
  assert.deepEqual(await kinds(corrupted, b.publicJwk), ['signature_wrong_key']);
  assert.deepEqual((await verifyBundle(corrupted)).problems.map((p) => p.kind), ['signature_invalid']);

  const unsigned = tmp('bundle-');
  await writeBundle(unsigned, compositions(), { selection });
  assert.deepEqual((await verifyBundle(unsigned)).problems.map((p) => p.kind), ['signature_missing']);
});

test('re-exporting without a key removes a stale signature', async () => {
  const { a } = await testKeys();
  const dir = tmp('bundle-');
  await writeBundle(dir, compositions(), { selection, signingKey: a });
  await writeBundle(dir, compositions(), { selection });
  assert.equal(existsSync(join(dir, SIGNATURE_FILE)), false);
});

test('the dev signing key: created on first use in .data/signing (private.jwk 0600, public.jwk beside it), then reused', () => {
  const data = tmp('data-');
  const script = `const m = await import(${JSON.stringify(join(ROOT, 'ledger/signing-key.ts'))}); process.stdout.write((await m.loadOrCreateSigningKey()).kid);`;
  const run = () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COORD_DATA_DIR: data, COORD_SIGNING_KEY_FILE: '' } });
    assert.equal(res.status, 0, res.stderr);
    return res.stdout;
  };
  const kid = run();
  assert.equal(run(), kid, 'the same key the second time');
  const privateFile = join(data, 'signing', 'private.jwk');
  assert.equal(statSync(privateFile).mode & 0o777, 0o600);
  const pub = JSON.parse(readFileSync(join(data, 'signing', 'public.jwk'), 'utf8')) as Record<string, string>;
  assert.deepEqual([pub.kty, pub.crv, pub.kid, pub.alg, 'd' in pub], ['OKP', 'Ed25519', kid, 'EdDSA', false]);
});

test('a provisioned signing key (COORD_SIGNING_KEY_FILE, passed as `file`): a missing file is an error, a loose mode is tightened', async () => {
  const file = join(tmp('signing-'), 'provisioned.jwk');
  await assert.rejects(loadOrCreateSigningKey({ file }), { message: `the signing key file ${file} does not exist` });
  writeFileSync(file, readFileSync(await devStyleKey(tmp('signing-src-'))), { mode: 0o644 });
  const one = await loadOrCreateSigningKey({ file });
  assert.equal((await loadOrCreateSigningKey({ file })).kid, one.kid);
  assert.match(one.kid, /^[\w-]{43}$/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});
