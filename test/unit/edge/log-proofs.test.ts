// Exports with the transparency log's checkpoint and a proof per event, checked offline by the edge worker
// against pinned log and witness keys: an intact bundle passes; an edited proof, an edited or removed event,
// a checkpoint re-signed by another key, an uncosigned checkpoint, an unsigned bundle each fail, named; a
// rotated log key keeps old exports verifiable.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { canonicalJson } from '../../../audit/canonical.js';
import { EVENTS_FILE, LOG_CHECKPOINT_FILE, LOG_PROOFS_FILE } from '../../../audit/bundle/format.js';
import { writeBundle } from '../../../audit/bundle/write.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { formatCheckpoint } from '../../../audit/tlog/checkpoint.js';
import { cosign, cosignerFromKey, generateCosignerKey } from '../../../audit/tlog/cosignature.js';
import { toBase64 } from '../../../audit/tlog/encoding.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, inclusionProof, leafHash, type NodeId } from '../../../audit/tlog/merkle.js';
import { signNote } from '../../../audit/tlog/note.js';
import { generateNoteKey, noteSigner } from '../../../audit/tlog/note-keys.js';
import { loadOrCreateSigningKey, type SigningKey } from '../../../ledger/signing-key.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { edgeReplay } from '../../../workers/edge/replay-bundle.js';

const IDS = ['cmp_PROOF000000001', 'cmp_PROOF000000002'];
const ORIGIN = 'ledger.test/audit-log';
const oldLog = generateNoteKey(ORIGIN);
const newLog = generateNoteKey(ORIGIN);
const witness = generateCosignerKey('witness.partner.test');
let bundleKey: SigningKey;

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'proof-key-')), 'private.jwk');
  writeFileSync(file, JSON.stringify(await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey)), { mode: 0o600 });
  bundleKey = await loadOrCreateSigningKey({ file });
});

/** A signed bundle of two §7b compositions, their events the log's leaves (plus `extra` earlier leaves), with a cosigned checkpoint. */
async function bundle(opts: { logKey?: string; signed?: boolean } = {}): Promise<string> {
  const events = IDS.map((id) => buildVrsExample(id));
  const lines = events.flat().map((e) => canonicalJson(e));
  const { range, nodes } = appendLeaves(EMPTY_RANGE, lines.map((l) => leafHash(Buffer.from(l, 'utf8'))));
  const stored = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
  const reader = { nodes: (ids: readonly NodeId[]) => ids.map((i) => stored.get(`${i.level}:${i.index}`)!) };
  const body = formatCheckpoint({ origin: ORIGIN, size: range.size, root: compactRangeRoot(range), extensions: [] });
  const checkpoint = signNote(body, noteSigner(opts.logKey ?? newLog.signerKey)) + cosign(body, cosignerFromKey(witness.signerKey), 1_700_000_000);
  let leaf = 0;
  const compositions = [];
  for (const [i, id] of IDS.entries()) {
    const proofs = new Map<string, { leaf_index: number; proof: string[] }>();
    for (const e of events[i]!) {
      proofs.set(e.event_id, { leaf_index: leaf, proof: (await inclusionProof(reader, leaf, range.size)).map(toBase64) });
      leaf += 1;
    }
    compositions.push({ composition_id: id, workflow_id: id, events: events[i] as AuditEvent[], runs: [], proofs });
  }
  const dir = mkdtempSync(join(tmpdir(), 'proof-bundle-'));
  await writeBundle(dir, compositions, { selection: {}, checkpoint, ...(opts.signed === false ? {} : { signingKey: bundleKey }) });
  return dir;
}

const check = async (dir: string, logKeys = [newLog.verifierKey]) =>
  edgeReplay(dir, { eventsOnly: true, publicKey: bundleKey.publicJwk, logKeys, witnessKeys: [witness.verifierKey] });
const kinds = async (dir: string, logKeys?: string[]) => (await check(dir, logKeys)).mismatches.map((m) => [m.kind, m.event_id]);

function editLine(dir: string, file: string, index: number, edit: (line: string) => string | null): void {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const edited = edit(lines[index]!);
  if (edited === null) lines.splice(index, 1);
  else lines[index] = edited;
  writeFileSync(join(dir, file), lines.join('\n'));
}

test('an intact bundle: every event proven in the cosigned checkpoint', async () => {
  const report = await check(await bundle());
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.checkpoint?.size, 18);
});

test('an edited proof fails naming its event', async () => {
  const dir = await bundle();
  editLine(dir, LOG_PROOFS_FILE, 11, (l) => {
    const p = JSON.parse(l) as { proof: string[] };
    p.proof[0] = toBase64(new Uint8Array(32));
    return JSON.stringify(p);
  });
  const found = await kinds(dir);
  assert.deepEqual(found[0], ['log_proof_invalid', 'evt_PROOF000000002_003']);
});

test('an edited event and a removed event fail naming the event', async () => {
  const edited = await bundle();
  editLine(edited, EVENTS_FILE, 4, (l) => l.replace('"ts_utc":"2', '"ts_utc":"3'));
  assert.deepEqual((await kinds(edited))[0]![1], 'evt_PROOF000000001_005');
  assert.ok((await kinds(edited)).some(([k]) => k === 'log_proof_invalid'));

  const removed = await bundle();
  editLine(removed, EVENTS_FILE, 6, () => null);
  const found = await kinds(removed);
  assert.ok(found.some(([k, e]) => e === 'evt_PROOF000000001_007' || k === 'sequence_gap'), JSON.stringify(found));
  assert.ok(found.some(([k]) => k === 'file_hash_mismatch'));
});

test('a checkpoint re-signed by another key, or not cosigned, fails; so does an unsigned bundle', async () => {
  const resigned = await bundle();
  const text = readFileSync(join(resigned, LOG_CHECKPOINT_FILE), 'utf8');
  const forger = generateNoteKey(ORIGIN);
  writeFileSync(join(resigned, LOG_CHECKPOINT_FILE), signNote(text.slice(0, text.indexOf('\n\n') + 1), noteSigner(forger.signerKey)));
  assert.deepEqual((await kinds(resigned))[0], ['checkpoint_invalid', null]);

  const uncosigned = await bundle();
  writeFileSync(join(uncosigned, LOG_CHECKPOINT_FILE), text.split('\n').filter((l) => !l.startsWith('— witness')).join('\n'));
  assert.deepEqual((await kinds(uncosigned))[0], ['checkpoint_not_witnessed', null]);

  const unsigned = await bundle({ signed: false });
  assert.deepEqual(await kinds(unsigned), [['signature_missing', null]]);
});

test('log key rotation: an export checkpointed under the old key verifies with both keys pinned, not with the new alone', async () => {
  const old = await bundle({ logKey: oldLog.signerKey });
  assert.deepEqual(await kinds(old, [newLog.verifierKey, oldLog.verifierKey]), []);
  assert.deepEqual((await kinds(old, [newLog.verifierKey]))[0], ['checkpoint_invalid', null]);
  assert.deepEqual(await kinds(await bundle(), [newLog.verifierKey, oldLog.verifierKey]), []);
});
