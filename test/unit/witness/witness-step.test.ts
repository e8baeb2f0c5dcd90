// One witness step against an in-process ledger with a real Merkle tree: what it cosigns, what it refuses,
// what it records, and that a refusal never advances its state.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { cosignatureTime, cosignatureVerifier } from '../../../audit/tlog/cosignature.js';
import { generateNoteKey, noteSigner, noteVerifier } from '../../../audit/tlog/note-keys.js';
import { openNote, signNote } from '../../../audit/tlog/note.js';
import { verifyRefusal, type SignedRefusal } from '../../../audit/tlog/witness-refusal.js';
import { FakeLedger, ORIGIN } from './fake-ledger.js';
import { NOW, WITNESS_NAME, setup } from './helpers.js';

const ledgers: FakeLedger[] = [];
async function ledger(n: number): Promise<FakeLedger> {
  const l = await FakeLedger.withLeaves(n).start();
  ledgers.push(l);
  return l;
}
after(() => Promise.all(ledgers.map((l) => l.stop())));

test('the first checkpoint is cosigned, the cosignature verifies beside the log signature, the state is saved 0600 in a 0700 folder', async () => {
  const s = setup();
  const l = await ledger(5);
  const outcome = await s.witness(l).step();
  assert.deepEqual(outcome, { outcome: 'cosigned', origin: ORIGIN, size: 5, root: l.rootBase64(), time: NOW, resent: false, witnessed: true });

  assert.equal(l.cosignaturePosts.length, 1);
  const opened = openNote(l.cosignaturePosts[0]!, [noteVerifier(l.logKey.verifierKey), cosignatureVerifier(s.key.verifierKey)]);
  assert.equal(opened.text, l.body());
  assert.deepEqual(opened.signatures.map((sig) => sig.name), [WITNESS_NAME]); // only the cosignature: the body is posted with it alone
  assert.equal(cosignatureTime(opened.signatures[0]!), NOW);

  assert.equal(statSync(s.stateFile).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(s.stateFile)).mode & 0o777, 0o700);
  const log = s.state().logs[ORIGIN]!;
  assert.equal(log.log_key, l.logKey.verifierKey);
  assert.deepEqual({ ...log.cosigned, cosignature: undefined }, { size: 5, root: l.rootBase64(), body: l.body(), time: NOW, cosignature: undefined });
  assert.deepEqual(log.refusals, []);
  assert.deepEqual(l.refusals, []);
});

test('the same checkpoint again, with the cosignature on it, is unchanged: nothing is posted', async () => {
  const s = setup();
  const l = await ledger(3);
  const w = s.witness(l);
  await w.step();
  assert.deepEqual(await w.step(), { outcome: 'unchanged', origin: ORIGIN, size: 3, root: l.rootBase64() });
  assert.equal(l.cosignaturePosts.length, 1);
});

test('growth with a valid consistency proof is cosigned; the proof is asked from the last cosigned size', async () => {
  const s = setup();
  const l = await ledger(5);
  const w = s.witness(l);
  await w.step();
  l.grow(7);
  const outcome = await w.step();
  assert.equal(outcome.outcome, 'cosigned');
  assert.equal((outcome as { size: number }).size, 12);
  assert.ok(l.requests.includes('GET /log/consistency?from=5&to=12'), l.requests.join('\n'));
  assert.equal(s.state().logs[ORIGIN]!.cosigned!.size, 12);
  // a state read back by a new process continues from there
  l.grow(1);
  assert.equal((await s.witness(l).step()).outcome, 'cosigned');
  assert.ok(l.requests.includes('GET /log/consistency?from=12&to=13'));
});

test('from an empty tree no proof is needed; a size-0 checkpoint must carry the empty root', async () => {
  const s = setup();
  const l = await ledger(0);
  l.serveEmpty = true;
  const w = s.witness(l);
  assert.equal((await w.step()).outcome, 'cosigned');
  l.grow(4);
  assert.equal((await w.step()).outcome, 'cosigned');
  assert.equal(l.requests.filter((r) => r.startsWith('GET /log/consistency')).length, 0);

  const fresh = setup();
  const bogus = `${ORIGIN}\n0\n${l.rootBase64()}\n`; // size 0 with a non-empty tree's root, properly signed
  l.route = (req, res) => (req.url === '/log/checkpoint' ? (res.writeHead(200).end(signNote(bogus, l.signer)), true) : false);
  const outcome = await fresh.witness(l).step();
  assert.deepEqual([outcome.outcome, (outcome as { reason: string }).reason], ['refused', 'inconsistent']);
});

async function refusedAfter(mutate: (l: FakeLedger) => void, n = 5) {
  const s = setup();
  const l = await ledger(n);
  const w = s.witness(l);
  assert.equal((await w.step()).outcome, 'cosigned');
  const before = s.state().logs[ORIGIN]!.cosigned;
  mutate(l);
  const outcome = await w.step();
  assert.equal(outcome.outcome, 'refused', JSON.stringify(outcome));
  assert.deepEqual(s.state().logs[ORIGIN]!.cosigned, before, 'the state does not advance');
  assert.equal(l.cosignaturePosts.length, 1, 'nothing more is cosigned');
  assert.equal(l.refusals.length, 1, 'the refusal is posted');
  const posted = l.refusals[0] as SignedRefusal;
  assert.equal(verifyRefusal(posted, s.key.verifierKey), true);
  assert.deepEqual(s.state().logs[ORIGIN]!.refusals.map((r) => [r.refusal, r.delivered]), [[posted, true]]);
  return { s, l, w, outcome: outcome as Extract<typeof outcome, { outcome: 'refused' }>, posted };
}

test('a rewritten tree (an earlier leaf changed, then grown) fails the consistency proof: inconsistent, posted, state kept', async () => {
  const { outcome, posted } = await refusedAfter((l) => {
    const data = l.leaves();
    data[2] = 'event-2, edited';
    l.setData(data).grow(3);
  });
  assert.equal(outcome.reason, 'inconsistent');
  assert.deepEqual([posted.witness, posted.origin, posted.old_size, posted.new_size, posted.reason, posted.time], [WITNESS_NAME, ORIGIN, 5, 8, 'inconsistent', NOW]);
  assert.match(posted.detail, /consistency proof from size 5 .* to size 8 .* does not verify/);
});

test('a fork at the same size (a leaf changed, nothing appended) is inconsistent', async () => {
  const { outcome } = await refusedAfter((l) => {
    const data = l.leaves();
    data[4] = 'other';
    l.setData(data);
  });
  assert.equal(outcome.reason, 'inconsistent');
  assert.match(outcome.detail, /^a fork: size 5 has root /);
});

test('a truncated tree (smaller size) is a rollback', async () => {
  const { outcome } = await refusedAfter((l) => l.setData(l.leaves().slice(0, 3)));
  assert.deepEqual([outcome.reason, outcome.old_size, outcome.new_size], ['rollback', 5, 3]);
});

test('a checkpoint signed by another key is bad_signature, and nothing is cosigned', async () => {
  const { outcome } = await refusedAfter((l) => {
    l.grow(1);
    l.signer = noteSigner(generateNoteKey(ORIGIN).signerKey); // same name, another key: another key id
  });
  assert.equal(outcome.reason, 'bad_signature');
  assert.match(outcome.detail, /ERR_NOTE_UNVERIFIED/);
});

test("a signature from the pinned key that does not verify is bad_signature (even on the witness's first checkpoint)", async () => {
  const s = setup();
  const l = await ledger(2);
  const genuine = l.signer;
  l.signer = { name: genuine.name, keyId: genuine.keyId, sign: (text) => genuine.sign(new Uint8Array([...text, 0x0a])) };
  const outcome = await s.witness(l).step();
  assert.equal(outcome.outcome, 'refused');
  assert.equal((outcome as { reason: string }).reason, 'bad_signature');
  assert.match((outcome as { detail: string }).detail, /ERR_NOTE_SIGNATURE/);
  assert.equal(l.cosignaturePosts.length, 0);
  // no origin was ever pinned: the refusal is kept under "", naming the origin the note claimed
  const state = s.state();
  assert.equal(state.logs[ORIGIN], undefined);
  assert.equal(state.logs['']!.refusals[0]!.refusal.origin, ORIGIN);
});

test('another origin than the one first seen (and recorded) is wrong_origin', async () => {
  const { outcome } = await refusedAfter((l) => {
    l.origin = 'ledger.test/other';
    l.grow(1);
  });
  assert.equal(outcome.reason, 'wrong_origin');
  assert.equal(outcome.origin, ORIGIN);
  assert.match(outcome.detail, /names origin "ledger\.test\/other", the pinned origin is "ledger\.test\/log"/);
});

test('an origin other than --origin is refused from the first checkpoint on', async () => {
  const s = setup();
  const l = await ledger(2);
  const outcome = await s.witness(l, { origin: 'ledger.example/expected' }).step();
  assert.equal((outcome as { reason: string }).reason, 'wrong_origin');
  assert.equal(l.cosignaturePosts.length, 0);
  assert.equal((l.refusals[0] as SignedRefusal).origin, 'ledger.example/expected');
});

test('the same refusal again is counted, not re-posted; an undelivered one is delivered on a later step', async () => {
  const { s, l, w } = await refusedAfter((l) => l.setData(l.leaves().slice(0, 2)));
  const again = await w.step();
  assert.deepEqual([again.outcome, (again as { repeated: boolean }).repeated], ['refused', true]);
  assert.equal(l.refusals.length, 1);
  assert.equal(s.state().logs[ORIGIN]!.refusals[0]!.repeats, 1);

  l.route = (req, res) => (req.url === '/log/witness-refusals' ? (res.writeHead(503).end(), true) : false);
  l.setData(l.leaves().slice(0, 1));
  const undelivered = await w.step();
  assert.deepEqual([undelivered.outcome, (undelivered as { delivered: boolean }).delivered], ['refused', false]);
  l.route = undefined;
  l.setData([]).grow(5); // the honest tree is back
  assert.equal((await w.step()).outcome, 'unchanged');
  assert.equal(l.refusals.length, 2);
  assert.deepEqual(s.state().logs[ORIGIN]!.refusals.map((r) => r.delivered), [true, true]);
});

test('an oversized checkpoint is refused without being read to its end (streamed, and declared)', async () => {
  const s = setup();
  const l = await ledger(1);
  const total = 64 << 20;
  let written = 0;
  let finished = false;
  l.route = (req, res) => {
    if (req.url !== '/log/checkpoint') return false;
    res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no length declared
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end(() => (finished = true));
    };
    pump();
    return true;
  };
  const outcome = await s.witness(l).step();
  assert.deepEqual([outcome.outcome, (outcome as { reason: string }).reason], ['refused', 'malformed']);
  assert.match((outcome as { detail: string }).detail, /ERR_RESPONSE_TOO_LARGE: GET \/log\/checkpoint: the answer is larger than 1048576 bytes/);
  assert.equal(finished, false);
  assert.ok(written < total / 4, `the ledger wrote ${written} bytes`);

  l.route = (req, res) => (req.url === '/log/checkpoint' ? (res.writeHead(200, { 'content-length': String(2 << 20) }).write('x'), true) : false);
  const declared = await s.witness(l).step();
  assert.equal((declared as { reason: string }).reason, 'malformed');
});

test('a proof of more than 64 hashes, or not of 32-byte hashes, is malformed; the state is kept', async () => {
  for (const proof of [Array.from({ length: 65 }, () => Buffer.alloc(32).toString('base64')), ['AAAA']]) {
    const { outcome } = await refusedAfter((l) => {
      l.grow(3);
      l.route = (req, res) => (req.url!.startsWith('/log/consistency') ? (res.writeHead(200).end(JSON.stringify({ from: 5, to: 8, proof })), true) : false);
    });
    assert.equal(outcome.reason, 'malformed');
  }
});

test('an unreachable ledger, or a 5xx, is not a refusal: nothing recorded, the next step carries on', async () => {
  const s = setup();
  const l = await ledger(4);
  const w = s.witness(l);
  l.route = (_req, res) => (res.writeHead(502).end(), true);
  assert.deepEqual(await w.step(), { outcome: 'unreachable', detail: 'ERR_LEDGER_UNREACHABLE: GET /log/checkpoint: HTTP 502' });
  const dead = s.witness(l, { ledger: 'http://127.0.0.1:9' });
  assert.equal((await dead.step()).outcome, 'unreachable');
  l.route = undefined;
  assert.equal((await w.step()).outcome, 'cosigned');
  assert.deepEqual(s.state().logs[ORIGIN]!.refusals, []);
});

test('a cosignature that could not be delivered is kept and re-sent (the same line) on the next step', async () => {
  const s = setup();
  const l = await ledger(4);
  const w = s.witness(l);
  l.route = (req, res) => (req.url === '/log/cosignatures' ? (res.destroy(), true) : false);
  const first = await w.step();
  assert.equal(first.outcome, 'unreachable');
  assert.match((first as { detail: string }).detail, /cosigned size 4 but could not deliver it/);
  assert.equal(s.state().logs[ORIGIN]!.cosigned!.size, 4, 'persisted before it left');
  l.route = undefined;
  const second = await s.witness(l, { now: () => (NOW + 60) * 1000 }).step();
  assert.deepEqual([second.outcome, (second as { resent: boolean }).resent, (second as { time: number }).time], ['cosigned', true, NOW]);
  assert.equal(l.cosignaturePosts.at(-1)!.endsWith(s.state().logs[ORIGIN]!.cosigned!.cosignature), true);
});

test('a ledger that does not pin the witness key answers 403: rejected, not a refusal', async () => {
  const s = setup();
  const l = await ledger(2);
  l.cosignatureStatus = 403;
  const outcome = await s.witness(l).step();
  assert.deepEqual([outcome.outcome, (outcome as { status: number }).status], ['rejected', 403]);
  assert.match((outcome as { detail: string }).detail, /does not pin this witness's key/);
});
