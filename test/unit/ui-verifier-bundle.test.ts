// The page's in-browser verifier (gateway/ui/src/verify) on bundles written by the project's exporter, with
// emitter signatures, a witnessed checkpoint and a proof per event: an intact bundle is verified; each tamper
// is broken at the right event with the right code — and the edge worker (the Node verifier) finds its
// first failing event at the same line, naming the same event, with the same kind.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { canonicalJson } from '../../audit/canonical.js';
import { EMITTER_SIGNATURES_FILE, EVENTS_FILE, LOG_CHECKPOINT_FILE, LOG_PROOFS_FILE, MANIFEST_FILE } from '../../audit/bundle/format.js';
import type { SigningKey } from '../../audit/bundle/signing-key.js';
import { writeBundle } from '../../audit/bundle/write.js';
import { ed25519Kid, ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import { EmitterKeyring } from '../../audit/emitter-signature.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { formatCheckpoint } from '../../audit/tlog/checkpoint.js';
import { cosign, cosignerFromKey, generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { toBase64 } from '../../audit/tlog/encoding.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, inclusionProof, leafHash, type NodeId } from '../../audit/tlog/merkle.js';
import { signNote } from '../../audit/tlog/note.js';
import { generateNoteKey, noteSigner } from '../../audit/tlog/note-keys.js';
import { verifyBundle, type BundleFiles, type PageTrust, type Verdict } from '../../gateway/ui/src/verify/index.js';
import { edgeReplay } from '../../workers/edge/replay-bundle.js';
import { testEmitter } from '../helpers/emitter.js';

const IDS = ['cmp_UIVERIFY00001', 'cmp_UIVERIFY00002'];
const ORIGIN = 'ledger.test/audit-log';
const log = generateNoteKey(ORIGIN);
const witness = generateCosignerKey('witness.partner.test');
const emitter = testEmitter();
let bundleKey: SigningKey;
let trust: PageTrust;

before(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const publicJwk = ed25519PublicJwk(await exportJWK(publicKey));
  bundleKey = { privateKey, publicJwk, kid: ed25519Kid(publicJwk) };
  trust = { bundleKey: publicJwk, emitterKeys: [emitter.signer.publicJwk], logKeys: [log.verifierKey], witnessKeys: [witness.verifierKey] };
});

/** A signed bundle of two §7b compositions (18 events, lines 0–8 and 9–17), every event signed and proven in a cosigned checkpoint. */
async function bundle(): Promise<string> {
  const events = IDS.map((id) => buildVrsExample(id));
  const lines = events.flat().map((e) => canonicalJson(e));
  const { range, nodes } = appendLeaves(EMPTY_RANGE, lines.map((l) => leafHash(Buffer.from(l, 'utf8'))));
  const stored = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
  const reader = { nodes: (ids: readonly NodeId[]) => ids.map((i) => stored.get(`${i.level}:${i.index}`)!) };
  const body = formatCheckpoint({ origin: ORIGIN, size: range.size, root: compactRangeRoot(range), extensions: [] });
  const checkpoint = signNote(body, noteSigner(log.signerKey)) + cosign(body, cosignerFromKey(witness.signerKey), 1_700_000_000);
  let leaf = 0;
  const compositions = [];
  for (const [i, id] of IDS.entries()) {
    const proofs = new Map<string, { leaf_index: number; proof: string[] }>();
    for (const e of events[i]!) proofs.set(e.event_id, { leaf_index: leaf, proof: (await inclusionProof(reader, leaf++, range.size)).map(toBase64) });
    const signatures = new Map(events[i]!.map((e) => [e.event_id, emitter.signer.sign(e.this_hash)] as const));
    compositions.push({ composition_id: id, workflow_id: id, events: events[i]!, runs: [], proofs, signatures });
  }
  const dir = mkdtempSync(join(tmpdir(), 'ui-verifier-'));
  await writeBundle(dir, compositions, { selection: {}, checkpoint, signingKey: bundleKey });
  return dir;
}

const FILES = ['events.jsonl', 'signatures.jsonl', 'checkpoint.txt', 'proofs.jsonl', 'manifest.json', 'bundle.jws'] as const;

function readFiles(dir: string): BundleFiles {
  const files: Record<string, string> = {};
  for (const name of FILES) if (existsSync(join(dir, name))) files[name] = readFileSync(join(dir, name), 'utf8');
  return files as unknown as BundleFiles;
}

function editLine(dir: string, file: string, index: number, edit: (line: string) => string | null): void {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const edited = edit(lines[index]!);
  if (edited === null) lines.splice(index, 1);
  else lines[index] = edited;
  writeFileSync(join(dir, file), lines.join('\n'));
}

/** The same edit in events.jsonl and the two files written line for line beside it. */
function editAll(dir: string, edit: (lines: string[]) => void): void {
  for (const file of [EVENTS_FILE, EMITTER_SIGNATURES_FILE, LOG_PROOFS_FILE]) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    edit(lines);
    writeFileSync(join(dir, file), lines.join('\n'));
  }
}

/** The edge worker's first failing event: the lowest line it names (with every kind it gives that line), else its first finding. */
async function edgeFirst(dir: string): Promise<{ index: number; event_id: string | null; kinds: string[] }> {
  const report = await edgeReplay(dir, { eventsOnly: true, publicKey: bundleKey.publicJwk, emitters: new EmitterKeyring([emitter.signer.publicJwk]), logKeys: [log.verifierKey], witnessKeys: [witness.verifierKey] });
  assert.equal(report.ok, false, 'the edge worker finds the tamper too');
  const inLines = report.mismatches.filter((m) => m.line !== undefined);
  if (inLines.length === 0) return { index: -1, event_id: report.mismatches[0]!.event_id, kinds: [report.mismatches[0]!.kind] };
  const index = Math.min(...inLines.map((m) => m.line!));
  const at = inLines.filter((m) => m.line === index);
  return { index, event_id: at[0]!.event_id, kinds: at.map((m) => m.kind) };
}

/** Verifies in the page's module, checks the first break, and that the Node verifier agrees on it. */
async function brokenAt(dir: string, expected: { index: number; event_id?: string; code: string; kind?: string }): Promise<Verdict> {
  const verdict = await verifyBundle(readFiles(dir), trust);
  assert.equal(verdict.status, 'broken', JSON.stringify(verdict.breaks.slice(0, 3)));
  const first = verdict.firstBreak!;
  assert.deepEqual({ index: first.index, event_id: first.event_id, code: first.code }, { index: expected.index, event_id: expected.event_id, code: expected.code }, first.message);
  if (expected.kind) assert.equal(first.kind, expected.kind);
  const edge = await edgeFirst(dir);
  assert.equal(edge.index, first.index, `the edge worker's first failing line: ${JSON.stringify(edge)}`);
  assert.equal(edge.event_id ?? undefined, first.event_id);
  assert.ok(edge.kinds.includes(first.kind), `the edge worker gives ${edge.kinds.join(', ')} where the page gives ${first.kind}`);
  return verdict;
}

test('an intact bundle is verified: every event hashed, linked, signed and proven in the witnessed checkpoint', async () => {
  const dir = await bundle();
  const verdict = await verifyBundle({ ...readFiles(dir), 'history.json': readFileSync(join(dir, 'history.json'), 'utf8') }, trust);
  assert.deepEqual(verdict.breaks, []);
  assert.deepEqual(verdict.unchecked, []);
  assert.equal(verdict.status, 'verified');
  assert.equal(verdict.events.length, 18);
  for (const e of verdict.events) assert.deepEqual([e.hashOk, e.linkOk, e.signature, e.inclusion, e.codes], [true, true, 'ok', 'ok', []], e.event_id!);
  assert.deepEqual(verdict.events[4]!.event_id, 'evt_UIVERIFY00001_005');
  assert.deepEqual({ ...verdict.checkpoint!, rootHash: undefined }, { origin: ORIGIN, size: 18, rootHash: undefined, witnessed: ['witness.partner.test'], missingWitnesses: [], logSigners: [ORIGIN], verified: true });
  assert.equal(verdict.bundle?.signature.ok, true);
  assert.equal(verdict.bundle?.signature.pinned, true);
  assert.deepEqual(verdict.bundle?.files['history.json'], { checked: true, ok: true });
  assert.equal((await edgeReplay(dir, { eventsOnly: true, publicKey: bundleKey.publicJwk, logKeys: [log.verifierKey], witnessKeys: [witness.verifierKey], emitters: new EmitterKeyring([emitter.signer.publicJwk]) })).ok, true);
});

test('a payload field of event 5 edited: hash_mismatch at index 4', async () => {
  const dir = await bundle();
  editLine(dir, EVENTS_FILE, 4, (l) => {
    const event = JSON.parse(l) as { payload: Record<string, unknown> };
    event.payload.lens_version = '2.0.1';
    return canonicalJson(event);
  });
  const verdict = await brokenAt(dir, { index: 4, event_id: 'evt_UIVERIFY00001_005', code: 'hash_mismatch' });
  assert.deepEqual(verdict.events[4]!.codes, ['hash_mismatch', 'inclusion_invalid']);
  assert.equal(verdict.events[5]!.linkOk, true, 'the next event still links to the hash the edited one claims');
  assert.ok(verdict.breaks.some((b) => b.code === 'manifest_mismatch' && b.file === EVENTS_FILE), 'and events.jsonl no longer matches the manifest');
});

test('two events swapped (in every file): chain_broken, reordered, at the first of them', async () => {
  const dir = await bundle();
  editAll(dir, (lines) => ([lines[3], lines[4]] = [lines[4]!, lines[3]!]));
  await brokenAt(dir, { index: 3, event_id: 'evt_UIVERIFY00001_004', code: 'chain_broken', kind: 'reordered' });
});

test('an event deleted (in every file): chain_broken at its line, naming the deleted event', async () => {
  const dir = await bundle();
  editAll(dir, (lines) => lines.splice(6, 1));
  const verdict = await brokenAt(dir, { index: 6, event_id: 'evt_UIVERIFY00001_007', code: 'chain_broken', kind: 'sequence_gap' });
  assert.equal(verdict.events[6]!.event_id, 'evt_UIVERIFY00001_008');
  assert.equal(verdict.events[6]!.linkOk, false);
  assert.equal(verdict.events[7]!.linkOk, true);
});

test('the last event of a composition cut (in every file): chain_broken, truncated, naming it', async () => {
  const dir = await bundle();
  editAll(dir, (lines) => lines.splice(8, 1));
  await brokenAt(dir, { index: 8, event_id: 'evt_UIVERIFY00001_009', code: 'chain_broken', kind: 'truncated' });
});

test("a forged emitter signature, and a stranger's: signature_invalid, signature_unknown_key", async () => {
  const forged = await bundle();
  editLine(forged, EMITTER_SIGNATURES_FILE, 10, (l) => {
    const line = JSON.parse(l) as { sig: string };
    const sig = Buffer.from(line.sig, 'base64url');
    sig[5]! ^= 0x01;
    return canonicalJson({ ...line, sig: sig.toString('base64url') });
  });
  const verdict = await brokenAt(forged, { index: 10, event_id: 'evt_UIVERIFY00002_002', code: 'signature_invalid', kind: 'emitter_signature_invalid' });
  assert.equal(verdict.events[10]!.signature, 'bad');

  const stranger = await bundle();
  editLine(stranger, EMITTER_SIGNATURES_FILE, 2, (l) => {
    const line = JSON.parse(l) as { event_id: string };
    const event = JSON.parse(readFileSync(join(stranger, EVENTS_FILE), 'utf8').split('\n')[2]!) as { this_hash: string };
    return canonicalJson({ event_id: line.event_id, ...testEmitter().signer.sign(event.this_hash) });
  });
  await brokenAt(stranger, { index: 2, event_id: 'evt_UIVERIFY00001_003', code: 'signature_unknown_key', kind: 'emitter_unknown_signer' });
});

test('an inclusion proof altered: inclusion_invalid at its event', async () => {
  const dir = await bundle();
  editLine(dir, LOG_PROOFS_FILE, 11, (l) => {
    const p = JSON.parse(l) as { proof: string[] };
    p.proof[0] = toBase64(new Uint8Array(32));
    return canonicalJson(p);
  });
  const verdict = await brokenAt(dir, { index: 11, event_id: 'evt_UIVERIFY00002_003', code: 'inclusion_invalid', kind: 'log_proof_invalid' });
  assert.equal(verdict.events[11]!.inclusion, 'bad');
});

test("the log's signature on the checkpoint altered: checkpoint_invalid, and no proof is trusted", async () => {
  const dir = await bundle();
  const text = readFileSync(join(dir, LOG_CHECKPOINT_FILE), 'utf8');
  writeFileSync(
    join(dir, LOG_CHECKPOINT_FILE),
    text.replace(new RegExp(`^(\u2014 ${ORIGIN} )(\\S+)$`, 'm'), (_, prefix: string, b64: string) => {
      const raw = Buffer.from(b64, 'base64');
      raw[10]! ^= 0x01;
      return `${prefix}${raw.toString('base64')}`;
    }),
  );
  const verdict = await brokenAt(dir, { index: -1, code: 'checkpoint_invalid', kind: 'checkpoint_invalid' });
  assert.ok(verdict.events.every((e) => e.inclusion === 'unchecked'));
});

test("the witness's cosignature removed: checkpoint_not_witnessed", async () => {
  const dir = await bundle();
  const text = readFileSync(join(dir, LOG_CHECKPOINT_FILE), 'utf8');
  writeFileSync(join(dir, LOG_CHECKPOINT_FILE), text.split('\n').filter((l) => !l.startsWith('\u2014 witness')).join('\n'));
  const verdict = await brokenAt(dir, { index: -1, code: 'checkpoint_not_witnessed', kind: 'checkpoint_not_witnessed' });
  assert.deepEqual(verdict.checkpoint?.missingWitnesses, ['witness.partner.test']);
});

test('manifest.json edited after signing: bundle_signature_invalid', async () => {
  const dir = await bundle();
  const text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  writeFileSync(join(dir, MANIFEST_FILE), text.replace('"selection":{}', '"selection":{"a":1}'));
  await brokenAt(dir, { index: -1, code: 'bundle_signature_invalid', kind: 'signature_invalid' });
});

test('a line that is not JSON, and one carrying __proto__: a break at that line, never a throw, nothing polluted', async () => {
  const garbage = await bundle();
  editLine(garbage, EVENTS_FILE, 2, () => '{"event_id":');
  const verdict = await brokenAt(garbage, { index: 2, event_id: 'evt_UIVERIFY00001_003', code: 'malformed_line', kind: 'invalid_event' });
  assert.equal(verdict.events[2]!.event_id, null);

  const proto = await bundle();
  editLine(proto, EVENTS_FILE, 0, () => '{"__proto__":{"polluted":true},"event_id":"evt_UIVERIFY00001_001"}');
  await brokenAt(proto, { index: 0, event_id: 'evt_UIVERIFY00001_001', code: 'invalid_event', kind: 'unknown_schema' });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('without pinned keys nothing breaks but nothing is vouched for: incomplete, and why', async () => {
  const verdict = await verifyBundle(readFiles(await bundle()));
  assert.equal(verdict.status, 'incomplete');
  assert.deepEqual(verdict.breaks, []);
  assert.equal(verdict.unchecked.length, 3, verdict.unchecked.join('\n'));
  assert.ok(verdict.events.every((e) => e.hashOk && e.linkOk && e.signature === 'unknown_key' && e.inclusion === 'unchecked'));
  assert.equal(verdict.checkpoint?.verified, false);
  assert.equal(verdict.checkpoint?.size, 18);
});
