// Federation slices verified by the partner alone (audit/slice/verify.ts), against an in-memory receiver:
// every outcome with its reason code, and what each does to the receiver's state — a refusal of bytes that
// prove nothing leaves it alone, a refusal of a genuine slice uses up its place in the sequence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../../audit/canonical.js';
import { MAX_SLICE_BYTES, type Slice } from '../../../audit/slice/format.js';
import { verifySlice, type SliceVerdict } from '../../../audit/slice/verify.js';
import { generateCosignerKey } from '../../../audit/tlog/cosignature.js';
import { generateNoteKey } from '../../../audit/tlog/note-keys.js';
import { LOG_ORIGIN, SliceFactory, editedLine, forgedMessage, generateSigningKey } from '../../helpers/slice-factory.js';
import { MemoryHeld } from '../../../workers/federation/memory-held.js';

/** A partner's node in memory: verify, then record what the verdict changes. */
async function receiver(f: SliceFactory) {
  const held = new MemoryHeld();
  const trust = f.trust;
  return {
    held,
    async receive(bytes: Uint8Array): Promise<SliceVerdict> {
      const verdict = await verifySlice(bytes, trust, held);
      held.record(verdict);
      return verdict;
    },
  };
}

/** What the receiver holds, to compare before and after a refusal. */
function stateOf(held: MemoryHeld) {
  const checkpoint = held.latestCheckpoint();
  return {
    next: held.nextSeq(),
    checkpoint: checkpoint ? { size: checkpoint.size, root: Buffer.from(checkpoint.root).toString('hex') } : null,
    chains: [...held.compositions()].map(([id, events]) => [id, events.map((e) => e.this_hash)]),
  };
}

function assertRefused(verdict: SliceVerdict, reason: string, usesSeq: boolean, detail?: RegExp) {
  assert.equal(verdict.status, 'refused', JSON.stringify(verdict.status === 'refused' ? verdict.detail : verdict.status));
  if (verdict.status !== 'refused') return;
  assert.equal(verdict.reason, reason, verdict.detail);
  assert.equal(verdict.usesSeq, usesSeq);
  if (detail) assert.match(verdict.detail, detail);
}

const A = 'cmp_SLICE_A';
const B = 'cmp_SLICE_B';

/** slice_seq 1 = events 1–5 of A at log size 5; the log then grows by A's rest and B. */
async function twoSlices(f: SliceFactory) {
  const a = f.composition(A, { admit: false });
  f.admit(a.slice(0, 5));
  const first = await f.next(a.slice(0, 5));
  f.admit(a.slice(5));
  const b = f.composition(B);
  const second = await f.next(a.slice(5));
  return { a, b, first, second };
}

/** The slice's message re-signed with the genuine key after `edit`: only what was edited can be wrong. */
async function edited(f: SliceFactory, slice: Slice, edit: (s: Slice) => void): Promise<Buffer> {
  const copy = structuredClone(slice);
  edit(copy);
  return f.sign(copy);
}

test('a genuine slice is accepted, and the next slice of the same composition after it', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { a, first, second } = await twoSlices(f);
  const v1 = await r.receive(first.bytes);
  assert.equal(v1.status, 'accepted');
  assert.equal(v1.status === 'accepted' && v1.checkpoint.size, 5);
  assert.equal(v1.status === 'accepted' && v1.digest, first.digest);
  const v2 = await r.receive(second.bytes);
  assert.equal(v2.status, 'accepted');
  assert.equal(second.slice.consistency?.from_size, 5);
  assert.deepEqual(r.held.events(A).map((e) => e.this_hash), a.map((e) => e.this_hash));
  assert.equal(r.held.latestCheckpoint()?.size, 18);
  assert.equal(r.held.nextSeq(), 3);
  assert.deepEqual(r.held.slice(2), { digest: second.digest, status: 'accepted' });
});

test('an edited event: event_hash_mismatch, and nothing changes', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    s.events[3] = editedLine(s.events[3]!, (e) => ((e.payload as Record<string, unknown>).intersection_size = 5000));
  });
  const before = stateOf(r.held);
  assertRefused(await r.receive(bytes), 'event_hash_mismatch', false, /evt_SLICE_A_004/);
  assert.deepEqual(stateOf(r.held), before);
  assert.equal((await r.receive(first.bytes)).status, 'accepted'); // the genuine slice still has its place
});

test('an edited event with its this_hash recomputed: emitter_signature_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    s.events[3] = editedLine(s.events[3]!, (e) => ((e.payload as Record<string, unknown>).intersection_size = 5000), { rehash: true });
  });
  assertRefused(await r.receive(bytes), 'emitter_signature_invalid', false, /evt_SLICE_A_004: signature_invalid/);
  assert.equal(r.held.nextSeq(), 1);
});

test('an event removed from the middle of a slice: chain_broken', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    for (const list of [s.events, s.signatures, s.proofs]) list.splice(2, 1);
  });
  assertRefused(await r.receive(bytes), 'chain_broken', false, /evt_SLICE_A_004, not event 3/);
  assert.equal(r.held.nextSeq(), 1);
});

test('a forged slice signature: slice_signature_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const attacker = await generateSigningKey();
  // the header names the pinned key, the signature is another key's
  assertRefused(await r.receive(await forgedMessage(first.slice, f.sliceKey, attacker)), 'slice_signature_invalid', false);
  // a genuine signature over another slice: the decision edited after signing
  const message = JSON.parse(first.bytes.toString('utf8')) as { slice: Slice; jws: string };
  message.slice.decision.uds_eval_id = 'ueval_forged';
  assertRefused(await r.receive(Buffer.from(JSON.stringify(message))), 'slice_signature_invalid', false);
  // a signature that is not a JWS at all
  assertRefused(await r.receive(Buffer.from(JSON.stringify({ slice: first.slice, jws: 'e30..AAAA' }))), 'slice_signature_invalid', false);
  assert.equal(r.held.nextSeq(), 1);
  assert.equal((await r.receive(first.bytes)).status, 'accepted');
});

test('a slice signed by a key the partner does not pin: slice_key_untrusted', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  assertRefused(await r.receive(await f.sign(first.slice, await generateSigningKey())), 'slice_key_untrusted', false, /not by the pinned key/);
  assert.equal(r.held.nextSeq(), 1);
});

test('a replayed old slice is a duplicate and changes nothing', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first, second } = await twoSlices(f);
  await r.receive(first.bytes);
  await r.receive(second.bytes);
  const before = stateOf(r.held);
  const replay = await r.receive(first.bytes);
  assert.equal(replay.status, 'duplicate');
  assert.equal(replay.status === 'duplicate' && replay.digest, first.digest);
  assert.deepEqual(stateOf(r.held), before);
});

test('the same slice delivered twice: accepted, then duplicate', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  assert.equal((await r.receive(first.bytes)).status, 'accepted');
  const before = stateOf(r.held);
  assert.equal((await r.receive(first.bytes)).status, 'duplicate');
  assert.deepEqual(stateOf(r.held), before);
});

test('two slices in reverse order: the later waits (pending), then both are accepted in order', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { a, first, second } = await twoSlices(f);
  const early = await r.receive(second.bytes);
  assert.equal(early.status, 'pending');
  assert.equal(early.status === 'pending' && early.reason, 'waiting_for_earlier_slice');
  assert.equal(r.held.nextSeq(), 1);
  assert.equal((await r.receive(first.bytes)).status, 'accepted');
  assert.equal((await r.receive(second.bytes)).status, 'accepted');
  assert.equal(r.held.events(A).length, a.length);
});

test("a composition none of the partner's issuers took part in: not_entitled, its place used, the next slice proceeds", async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const stranger = f.composition('cmp_SLICE_STRANGER', { entitled: false });
  const refused = await r.receive((await f.next(stranger)).bytes);
  assertRefused(refused, 'not_entitled', true, /idp\.vrs\.example/);
  assert.deepEqual(r.held.events('cmp_SLICE_STRANGER'), []);
  assert.equal(r.held.nextSeq(), 2);
  assert.equal(r.held.slice(1)?.status, 'refused');
  // the refused slice's checkpoint was consistent: it is kept, and the next slice proves consistency from it
  assert.equal(r.held.latestCheckpoint()?.size, 9);
  const a = f.composition(A);
  const next = await f.next(a);
  assert.equal(next.slice.consistency?.from_size, 9);
  assert.equal((await r.receive(next.bytes)).status, 'accepted');
});

test('a split view — a checkpoint of the same size with another root — is checkpoint_inconsistent and uses its place', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const a = f.composition(A);
  f.composition(B);
  assert.equal((await r.receive((await f.next(a)).bytes)).status, 'accepted'); // held: the checkpoint of size 18
  // the same keys sign another history of 18 leaves (its first leaf differs): B's events are in it too
  const fork = f.fork();
  const b = f.composition(B, { admit: false });
  assertRefused(await r.receive((await fork.next(b)).bytes), 'checkpoint_inconsistent', true, /two different trees of size 18: a split view/);
  assert.equal(r.held.latestCheckpoint()?.size, 18);
  assert.equal(r.held.nextSeq(), 3);
  // the fork grows: its consistency proof from 18 is of its own tree, not of the one held
  const c = fork.composition('cmp_SLICE_C');
  const larger = await fork.next(c);
  assert.equal(larger.slice.consistency?.from_size, 18);
  assertRefused(await r.receive(larger.bytes), 'checkpoint_inconsistent', true, /no valid consistency proof from the held checkpoint \(size 18\)/);
  assert.equal(r.held.nextSeq(), 4);
});

test('a schema fingerprint the trust file does not pin: schema_unpinned', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    s.schemas[1]!.fingerprint = `sha256:${'0'.repeat(64)}`;
  });
  assertRefused(await r.receive(bytes), 'schema_unpinned', false, /coordination\.lease_claimed\.v1 with fingerprint sha256:0{64} is not accepted/);
  const unstated = await edited(f, first.slice, (s) => s.schemas.splice(0, 1));
  assertRefused(await r.receive(unstated), 'schema_unpinned', false, /is not stated/);
  assert.equal(r.held.nextSeq(), 1);
});

test('a checkpoint the pinned witness did not cosign: checkpoint_not_witnessed', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const a = f.composition(A);
  const otherWitness = generateCosignerKey('witness.elsewhere.test');
  const byOther = await f.next(a, { checkpoint: await f.checkpoint(f.logSize, { witnesses: [otherWitness] }) });
  assertRefused(await r.receive(byOther.bytes), 'checkpoint_not_witnessed', false, /witness\.partner\.test/);
  const uncosigned = await f.next(a, { seq: 1, checkpoint: await f.checkpoint(f.logSize, { witnesses: [] }) });
  assertRefused(await r.receive(uncosigned.bytes), 'checkpoint_not_witnessed', false);
  assert.equal(r.held.nextSeq(), 1);
});

test('a checkpoint signed by another log key, or of another origin, is checkpoint_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const a = f.composition(A);
  const otherLog = generateNoteKey(LOG_ORIGIN);
  assertRefused(await r.receive((await f.next(a, { seq: 1, checkpoint: await f.checkpoint(f.logSize, { logKey: otherLog }) })).bytes), 'checkpoint_invalid', false, /not signed by a pinned log key/);
  const note = await f.checkpoint();
  const tampered = note.replace(`${f.logSize}\n`, `${f.logSize + 1}\n`);
  assertRefused(await r.receive((await f.next(a, { seq: 1, checkpoint: tampered })).bytes), 'checkpoint_invalid', false, /does not verify/);
  // a pinned key of another log signs a checkpoint naming this log's origin
  const otherOrigin = generateNoteKey('other.test/audit-log');
  const trust = { ...f.trust, logKeys: [f.logKey.verifierKey, otherOrigin.verifierKey] };
  const crossed = await f.next(a, { seq: 1, checkpoint: await f.checkpoint(f.logSize, { logKey: otherOrigin }) });
  assertRefused(await verifySlice(crossed.bytes, trust, new MemoryHeld()), 'checkpoint_invalid', false, /origin "ledger\.test\/audit-log" is not the name of the pinned log key/);
  assert.equal((await verifySlice((await f.next(a, { seq: 1 })).bytes, trust, new MemoryHeld())).status, 'accepted');
});

test('an inclusion proof that does not hold: inclusion_proof_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    s.proofs[2]!.leaf_index = 3;
  });
  assertRefused(await r.receive(bytes), 'inclusion_proof_invalid', false, /evt_SLICE_A_003 is not leaf 3/);
});

test('a slice for another partner: wrong_partner', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  assertRefused(await r.receive(await edited(f, first.slice, (s) => (s.partner = 'someone-else'))), 'wrong_partner', false, /for someone-else/);
  assertRefused(await r.receive(await edited(f, first.slice, (s) => (s.sender = 'another-ledger'))), 'wrong_partner', false);
});

test('garbage and oversized bytes: slice_malformed', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  assertRefused(await r.receive(Buffer.from('not json at all')), 'slice_malformed', false, /not JSON/);
  assertRefused(await r.receive(Buffer.from('{"slice":{},"jws":"x"}')), 'slice_malformed', false);
  assertRefused(await r.receive(Buffer.from('[1,2,3]')), 'slice_malformed', false);
  assertRefused(await r.receive(Buffer.alloc(MAX_SLICE_BYTES + 1, 0x20)), 'slice_malformed', false, /larger than/);
  assertRefused(await r.receive(await edited(f, first.slice, (s) => s.proofs.pop())), 'slice_malformed', false, /one each/);
  assertRefused(await r.receive(await edited(f, first.slice, (s) => ((s as unknown as Record<string, unknown>).extra = 1))), 'slice_malformed', false);
  assert.equal(r.held.nextSeq(), 1);
});

test('a slice that starts past the held head: chain_broken, its place used', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const a = f.composition(A);
  const skipped = await f.next(a.slice(2));
  assertRefused(await r.receive(skipped.bytes), 'chain_broken', true, /starts at event 3 of cmp_SLICE_A; this node holds 0/);
  assert.equal(r.held.nextSeq(), 2);
});

test('a slice whose first event does not link to the held head: contradicts_held', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const a = f.composition(A, { admit: false });
  f.admit(a.slice(0, 4));
  await r.receive((await f.next(a.slice(0, 4))).bytes);
  // another event 5 under the same emitter key, chained to a different event 4
  const other = f.composition(A, { admit: false, steps: (steps) => steps.map((s, i) => (i === 3 ? { ...s, ts: '2026-04-30T14:00:39.000Z' } : s)) });
  f.admit(other.slice(4, 6));
  assertRefused(await r.receive((await f.next(other.slice(4, 6))).bytes), 'contradicts_held', true, /links to/);
});

test('another content under a settled place: contradicts_held, without using a place', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  await r.receive(first.bytes);
  const again = await f.clone().next(f.composition(B, { admit: false }).slice(0, 1), { seq: 1 });
  assertRefused(await r.receive(again.bytes), 'contradicts_held', false, /held with another content/);
  assert.equal(r.held.nextSeq(), 2);
});

test('a lifecycle the declared machine refuses: lifecycle_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  // requested, the PSI round (the partner takes part), then closed: no lease, no evidence
  const events = f.composition('cmp_SLICE_SKIP', { steps: (steps) => [steps[0]!, steps[3]!, steps[8]!] });
  assertRefused(await r.receive((await f.next(events)).bytes), 'lifecycle_invalid', true, /evt_SLICE_SKIP_002/);
});

test('an event that is not canonical JSON: event_invalid', async () => {
  const f = await SliceFactory.create();
  const r = await receiver(f);
  const { first } = await twoSlices(f);
  const bytes = await edited(f, first.slice, (s) => {
    s.events[0] = JSON.stringify(JSON.parse(s.events[0]!), null, 1);
  });
  assertRefused(await r.receive(bytes), 'event_invalid', false, /canonical/);
  assert.equal(canonicalJson(JSON.parse(first.slice.events[0]!)), first.slice.events[0]);
});
