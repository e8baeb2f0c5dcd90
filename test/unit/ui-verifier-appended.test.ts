// Live events on the timeline page (SSE), judged one at a time before a checkpoint covers them: each event of
// a real §7b chain, signed by a pinned emitter, is whole; an edited line, a wrong predecessor, a missing or
// stranger's signature, a non-canonical or hostile line are each named by code — never thrown; a malformed
// pinned key is the page's mistake (TypeError); the edge trust file's JSON maps onto PageTrust.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../audit/canonical.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { generateNoteKey } from '../../audit/tlog/note-keys.js';
import { trustFromTrustFile, verifyAppended, verifyBundle } from '../../gateway/ui/src/verify/index.js';
import { testEmitter } from '../helpers/emitter.js';

const { signer } = testEmitter();
const trust = { emitterKeys: [signer.publicJwk] };
const events = buildVrsExample('cmp_UILIVE0000001');
const line = (i: number) => canonicalJson(events[i]);
const prev = (i: number) => ({ event_id: events[i]!.event_id, this_hash: events[i]!.this_hash });

test('a live chain, each event signed by a pinned emitter: whole, not yet covered by a checkpoint', async () => {
  for (const [i, event] of events.entries()) {
    const verdict = await verifyAppended(i === 0 ? null : prev(i - 1), line(i), signer.sign(event.this_hash), trust, i);
    assert.deepEqual(
      [verdict.index, verdict.event_id, verdict.hashOk, verdict.linkOk, verdict.signature, verdict.inclusion, verdict.codes],
      [i, event.event_id, true, true, 'ok', 'not_yet_covered', []],
    );
  }
});

test('an edited line, a wrong predecessor, a missing and a stranger’s signature: each named', async () => {
  const edited = line(3).replace('"rounds":2', '"rounds":3');
  assert.notEqual(edited, line(3));
  assert.deepEqual((await verifyAppended(prev(2), edited, signer.sign(events[3]!.this_hash), trust)).codes, ['hash_mismatch']);

  const skipped = await verifyAppended(prev(1), line(3), signer.sign(events[3]!.this_hash), trust);
  assert.deepEqual([skipped.codes, skipped.linkOk], [['chain_broken'], false]);
  assert.match(skipped.problems[0]!, /sequence 4 follows 2/);
  assert.deepEqual((await verifyAppended(null, line(3), signer.sign(events[3]!.this_hash), trust)).codes, ['chain_broken'], 'only the first event opens a composition');

  const unsigned = await verifyAppended(prev(2), line(3), undefined, trust);
  assert.deepEqual([unsigned.signature, unsigned.codes], ['unsigned', ['signature_missing']]);
  const stranger = await verifyAppended(prev(2), line(3), testEmitter().signer.sign(events[3]!.this_hash), trust);
  assert.deepEqual([stranger.signature, stranger.codes], ['unknown_key', ['signature_unknown_key']]);
  const moved = await verifyAppended(prev(2), line(3), signer.sign(events[4]!.this_hash), trust);
  assert.deepEqual([moved.signature, moved.codes], ['bad', ['signature_invalid']]);

  const unpinned = await verifyAppended(prev(2), line(3), signer.sign(events[3]!.this_hash), {});
  assert.deepEqual([unpinned.signature, unpinned.codes], ['unknown_key', []], 'without pinned keys a signature vouches for nothing, and breaks nothing');
});

test('hostile lines are findings, never throws', async () => {
  const cases: [string, string][] = [
    ['', 'malformed_line'],
    ['{', 'malformed_line'],
    ['null', 'invalid_event'],
    ['[1,2]', 'invalid_event'],
    [JSON.stringify(events[0], null, 1), 'not_canonical'],
    ['{"__proto__":{"polluted":1},"schema_id":"composition.requested.v1"}', 'invalid_event'],
    [`"${'x'.repeat((1 << 20) + 1)}"`, 'malformed_line'],
  ];
  for (const [text, code] of cases) {
    const verdict = await verifyAppended(null, text, { kid: 'x', sig: 'y' }, trust);
    assert.equal(verdict.codes[0], code, text.slice(0, 40));
    assert.equal(verdict.hashOk, code === 'not_canonical');
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a malformed pinned key or file argument is the page’s mistake: TypeError', async () => {
  await assert.rejects(verifyAppended(null, line(0), undefined, { emitterKeys: [{ kty: 'OKP', crv: 'Ed25519', x: 'short' }] }), TypeError);
  await assert.rejects(verifyBundle({ 'events.jsonl': '' }, { logKeys: ['not a key'] }), TypeError);
  await assert.rejects(verifyBundle({} as never), TypeError);
});

test('the edge trust file (snake_case JSON) maps onto PageTrust', async () => {
  const log = generateNoteKey('ledger.test/log');
  const witness = generateCosignerKey('witness.test');
  const file = { bundle_key: signer.publicJwk, emitter_keys: [signer.publicJwk], log_keys: [log.verifierKey], witness_keys: [witness.verifierKey] };
  assert.deepEqual(trustFromTrustFile(JSON.parse(JSON.stringify(file))), { bundleKey: signer.publicJwk, emitterKeys: [signer.publicJwk], logKeys: [log.verifierKey], witnessKeys: [witness.verifierKey] });
  assert.deepEqual(trustFromTrustFile({}), {});
  assert.throws(() => trustFromTrustFile({ log_keys: 'one' }), TypeError);
  assert.throws(() => trustFromTrustFile([]), TypeError);
  const verdict = await verifyBundle({ 'events.jsonl': events.map((e) => `${canonicalJson(e)}\n`).join('') }, trustFromTrustFile(file));
  assert.equal(verdict.status, 'broken', 'events without signatures.jsonl, emitter keys pinned');
  assert.deepEqual([verdict.firstBreak?.index, verdict.firstBreak?.code], [0, 'signature_missing']);
});
