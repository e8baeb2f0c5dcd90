// The page's verifier repeats, with WebCrypto, rules whose Node homes use node:crypto synchronously. Each twin
// is held to its Node original on the same inputs — valid and tampered —, the repeated constants are held
// equal, and the module bundles for the browser with no Node built-in and no Buffer.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { exportJWK, generateKeyPair } from 'jose';
import { canonicalJson } from '../../audit/canonical.js';
import { computeThisHash } from '../../audit/chain.js';
import { readManifest } from '../../audit/bundle/manifest.js';
import { signManifest, verifyManifestSignature } from '../../audit/bundle/signature.js';
import { ed25519Kid, ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import { EMITTER_SIGNATURE_CONTEXT, EmitterKeyring } from '../../audit/emitter-signature.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { formatCheckpoint } from '../../audit/tlog/checkpoint.js';
import { cosign, cosignerFromKey, generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { fromBase64 as nodeFromBase64 } from '../../audit/tlog/encoding.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, inclusionProof, leafHash as nodeLeafHash, verifyInclusion as nodeVerifyInclusion, type NodeId } from '../../audit/tlog/merkle.js';
import { MAX_NOTE_BYTES, MAX_SIGNATURES, signNote } from '../../audit/tlog/note.js';
import { generateNoteKey, noteSigner } from '../../audit/tlog/note-keys.js';
import { openPinnedCheckpoint as nodeOpenPinned } from '../../audit/tlog/pinned-checkpoint.js';
import { checkBundleSignature } from '../../gateway/ui/src/verify/bundle-signature.js';
import { fromBase64 } from '../../gateway/ui/src/verify/bytes.js';
import { openPinnedCheckpoint } from '../../gateway/ui/src/verify/checkpoint.js';
import { EMITTER_SIGNATURE_CONTEXT as WEB_CONTEXT, WebEmitterKeyring } from '../../gateway/ui/src/verify/emitter-signatures.js';
import { leafHash, thisHashOf } from '../../gateway/ui/src/verify/hash.js';
import { verifyInclusion } from '../../gateway/ui/src/verify/inclusion.js';
import * as limits from '../../gateway/ui/src/verify/limits.js';
import { parseManifest } from '../../gateway/ui/src/verify/manifest.js';
import { MAX_LINE_BYTES } from '../../workers/edge/lines.js';
import { testEmitter } from '../helpers/emitter.js';

test('the repeated constants equal their Node homes', () => {
  assert.equal(WEB_CONTEXT, EMITTER_SIGNATURE_CONTEXT);
  assert.equal(limits.MAX_LINE_BYTES, MAX_LINE_BYTES);
  assert.equal(limits.MAX_NOTE_BYTES, MAX_NOTE_BYTES);
  assert.equal(limits.MAX_NOTE_SIGNATURES, MAX_SIGNATURES);
});

test('the module bundles for the browser: no Node built-in, no Buffer', async () => {
  const result = await build({ entryPoints: ['gateway/ui/src/verify/index.ts'], bundle: true, write: false, format: 'esm', platform: 'browser', logLevel: 'silent', metafile: true });
  const text = result.outputFiles[0]!.text;
  assert.equal(/\bBuffer\b/.test(text), false);
  assert.deepEqual(Object.keys(result.metafile.inputs).filter((f) => f.startsWith('node:') || f.includes('workers/') || f.includes('ledger/')), []);
});

test('event hashes and leaf hashes: WebCrypto and Node agree', async () => {
  for (const event of buildVrsExample('cmp_TWIN00000001')) {
    assert.equal(await thisHashOf(event as unknown as Record<string, unknown>), computeThisHash(event as unknown as Record<string, unknown>));
    const line = Buffer.from(canonicalJson(event), 'utf8');
    assert.deepEqual(await leafHash(new Uint8Array(line)), nodeLeafHash(line));
  }
});

test('strict base64: the page refuses exactly what audit/tlog/encoding.ts refuses', () => {
  for (const text of ['', 'AA==', 'AB==', 'AAA=', 'AAB=', 'AAAA', 'A===', 'AA', 'AA=A', '////', '-_==', 'aGVsbG8=', 'aGVsbG9=', ' AA==']) {
    assert.deepEqual(fromBase64(text), nodeFromBase64(text) && new Uint8Array(nodeFromBase64(text)!), text);
  }
});

test('inclusion proofs: every leaf of trees of 1 to 20 leaves, and a bit flipped, judged alike', async () => {
  const leaves = Array.from({ length: 20 }, (_, i) => nodeLeafHash(Buffer.from(`leaf ${i}`)));
  for (let size = 1; size <= 20; size++) {
    const { range, nodes } = appendLeaves(EMPTY_RANGE, leaves.slice(0, size));
    const stored = new Map(nodes.map((n) => [`${n.level}:${n.index}`, n.hash]));
    const reader = { nodes: (ids: readonly NodeId[]) => ids.map((i) => stored.get(`${i.level}:${i.index}`)!) };
    const root = compactRangeRoot(range);
    for (let index = 0; index < size; index++) {
      const proof = await inclusionProof(reader, index, size);
      assert.equal(await verifyInclusion(leaves[index]!, index, size, proof, root), true);
      assert.equal(nodeVerifyInclusion(leaves[index]!, index, size, proof, root), true);
      const bad = proof.length ? [Uint8Array.from(proof[0]!, (b, i) => (i === 0 ? b ^ 1 : b)), ...proof.slice(1)] : proof;
      const other = (index + 1) % size;
      for (const [leaf, i, p] of [[leaves[index]!, index, bad], [leaves[index]!, other, proof], [leaves[other]!, index, proof]] as const) {
        assert.equal(await verifyInclusion(leaf, i, size, p, root), nodeVerifyInclusion(leaf, i, size, p, root), `size ${size} index ${index}`);
      }
    }
  }
});

test('emitter signatures: the page and EmitterKeyring give the same answer for each case', async () => {
  const { signer } = testEmitter();
  const stranger = testEmitter().signer;
  const hash = buildVrsExample('cmp_TWIN00000002')[0]!.this_hash;
  const good = signer.sign(hash);
  const flipped = Buffer.from(good.sig, 'base64url');
  flipped[7]! ^= 0x04;
  const cases = [
    good,
    { kid: good.kid, sig: flipped.toString('base64url') },
    stranger.sign(hash),
    signer.sign(`${hash}0`),
    { kid: good.kid },
    { kid: '', sig: good.sig },
    { kid: good.kid, sig: 'not base64url!' },
    { kid: 'x'.repeat(43), sig: good.sig },
    // a last character whose unused bits differ: Node's decoder ignores them, and so does the page
    { kid: good.kid, sig: good.sig.slice(0, -1) + String.fromCharCode(good.sig.charCodeAt(85) ^ 1) },
    undefined,
  ];
  const node = new EmitterKeyring([signer.publicJwk]);
  const web = await WebEmitterKeyring.of([signer.publicJwk]);
  assert.deepEqual(web.kids, node.kids);
  for (const c of cases) assert.equal(await web.check(hash, c), node.check(hash, c), JSON.stringify(c));
});

test('checkpoints opened against pinned keys: the page and audit/tlog/pinned-checkpoint.ts agree on each note', async () => {
  const log = generateNoteKey('ledger.test/log');
  const other = generateNoteKey('ledger.test/log');
  const w1 = generateCosignerKey('witness.one');
  const w2 = generateCosignerKey('witness.two');
  const body = formatCheckpoint({ origin: 'ledger.test/log', size: 7, root: new Uint8Array(32).fill(9), extensions: [] });
  const signed = signNote(body, noteSigner(log.signerKey));
  const c1 = cosign(body, cosignerFromKey(w1.signerKey), 1_700_000_000);
  const c2 = cosign(body, cosignerFromKey(w2.signerKey), 1_700_000_001);
  const flip = (note: string, name: string) =>
    note.replace(new RegExp(`^(\u2014 ${name} )(\\S+)$`, 'm'), (_, p: string, b: string) => {
      const raw = Buffer.from(b, 'base64');
      raw[raw.length - 1]! ^= 1;
      return p + raw.toString('base64');
    });
  const notes = {
    whole: signed + c1 + c2,
    'one witness': signed + c1,
    'log signature altered': flip(signed + c1 + c2, 'ledger.test/log'),
    'cosignature altered': flip(signed + c1 + c2, 'witness.one'),
    'another log key': signNote(body, noteSigner(other.signerKey)) + c1 + c2,
    'witnesses only': `${body}\n${c1}${c2}`,
    'no blank line': body,
    'a control character': signed.replace('7', '\u0001'),
    'not a checkpoint': signNote('hello\n', noteSigner(log.signerKey)),
    'a bad signature line': `${signed}junk\n`,
    empty: '',
  };
  for (const [what, note] of Object.entries(notes)) {
    for (const [logKeys, witnessKeys] of [[[log.verifierKey], [w1.verifierKey, w2.verifierKey]], [[other.verifierKey, log.verifierKey], [w2.verifierKey]], [[log.verifierKey], []]] as const) {
      const node = nodeOpenPinned(note, logKeys, witnessKeys);
      const web = await openPinnedCheckpoint(note, logKeys, witnessKeys);
      const shape = (r: typeof node | typeof web) => (r.ok ? { ok: true, size: r.size, root: Buffer.from(r.root).toString('hex'), origin: r.origin, logSigners: r.logSigners, missing: r.missingWitnesses } : { ok: false, reason: r.reason, missing: r.missingWitnesses });
      assert.deepEqual(shape(web), shape(node), what);
    }
  }
});

test('manifest.json and bundle.jws: the page reads and checks them as audit/bundle does', async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const publicJwk = ed25519PublicJwk(await exportJWK(publicKey));
  const otherJwk = ed25519PublicJwk(await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey));
  const digest = { sha256: `sha256:${'a'.repeat(64)}`, bytes: 3 };
  const manifest = { format: 'coordination-ledger.export.v2', selection: {}, counts: { compositions: 0, events: 0, runs: 0 }, compositions: [], files: { 'events.jsonl': digest, 'history.json': digest, 'signatures.jsonl': digest } };
  const texts = {
    valid: canonicalJson(manifest),
    'not canonical': JSON.stringify(manifest, null, 1),
    'not JSON': '{',
    'an unknown member': canonicalJson({ ...manifest, extra: 1 }),
    'v2 without signatures.jsonl': canonicalJson({ ...manifest, files: { 'events.jsonl': digest, 'history.json': digest } }),
    'a checkpoint without proofs': canonicalJson({ ...manifest, files: { ...manifest.files, 'checkpoint.txt': digest } }),
    'a negative count': canonicalJson({ ...manifest, counts: { ...manifest.counts, runs: -1 } }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ui-verifier-manifest-'));
  for (const [what, text] of Object.entries(texts)) {
    writeFileSync(join(dir, 'manifest.json'), text);
    const node = readManifest(dir);
    const web = parseManifest(text);
    assert.deepEqual(web.ok ? { ok: true } : { ok: false, reason: web.reason }, node.ok ? { ok: true } : { ok: false, reason: node.reason }, what);
  }

  const key = { privateKey, publicJwk, kid: ed25519Kid(publicJwk) };
  const text = texts.valid;
  const jws = await signManifest(Buffer.from(text), key);
  const [header, , sig] = jws.split('.') as [string, string, string];
  const flipped = Buffer.from(sig, 'base64url');
  flipped[3]! ^= 1;
  const cases: [string, string | undefined, string, typeof publicJwk | undefined][] = [
    ['pinned', jws, text, publicJwk],
    ['unpinned', jws, text, undefined],
    ['another pinned key', jws, text, otherJwk],
    ['the manifest edited', jws, text.replace('"runs":0', '"runs":1'), publicJwk],
    ['the signature altered', `${header}..${flipped.toString('base64url')}`, text, publicJwk],
    ['an attached payload', jws.replace('..', `.${Buffer.from(text).toString('base64url')}.`), text, publicJwk],
    ['absent, a key pinned', undefined, text, publicJwk],
    ['absent', undefined, text, undefined],
  ];
  for (const [what, j, m, pinned] of cases) {
    const node = await verifyManifestSignature(j ?? null, Buffer.from(m), pinned);
    const web = await checkBundleSignature(j, m, pinned);
    assert.deepEqual({ ok: web.ok, present: web.present, pinned: web.pinned, problem: web.problem, thumbprint: web.thumbprint }, { ok: node.ok, present: node.present, pinned: node.pinned, problem: node.kind, thumbprint: node.thumbprint }, what);
  }
});
