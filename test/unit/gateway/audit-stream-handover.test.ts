// The stream's core property over a fake store whose reads the test holds and releases: a subscriber that
// resumes from a position gets every matching row after it exactly once, in admission order, whatever the
// hub delivers live while its backlog replays — the hand-over from replay to live has no gap and no
// duplicate. Also: live only without a resume position, a resume position ahead of the hub, and the bounds
// (a live row taking the sink over its limit, too many rows held during a replay) ending the subscription
// with `overflow`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesStreamFilter, type AdmittedQuery, type AdmittedRow } from '../../../ledger/admitted.js';
import type { StreamFilter } from '../../../ledger/query-schema.js';
import { AdmittedHub, type AdmittedFeed } from '../../../gateway/stream/hub.js';
import { Subscription, type SubscriptionSink } from '../../../gateway/stream/subscription.js';

const COMPOSITIONS = ['cmp_a', 'cmp_b', 'cmp_c'];

function row(position: number): AdmittedRow {
  const composition_id = COMPOSITIONS[position % COMPOSITIONS.length]!;
  return {
    position,
    composition_id,
    schema_id: position % 2 ? 'composition.leased.v1' : 'composition.requested.v1',
    actor_id: 'agent_vrs',
    actor_type: 'agent',
    issuer: null,
    abac_outcome: 'ALLOW',
    body: JSON.stringify({ event_id: `evt_${position}`, composition_id }),
    ingested_ms: position,
    emitter_kid: null,
    emitter_sig: null,
  };
}

/**
 * A ledger in memory. Reads with `through` are the subscription's replay, reads without it the hub's poll;
 * `holdReplay` makes the next replay read wait until the test releases it.
 */
class FakeLedger implements AdmittedFeed {
  rows: AdmittedRow[] = [];

  replayReads = 0;

  private gate: { reached: () => void; release: Promise<void> } | undefined;

  log = { size: async () => this.rows.length };

  append(n: number): void {
    for (let i = 0; i < n; i += 1) this.rows.push(row(this.rows.length + 1));
  }

  /** The next replay read waits: resolves `reached` when it starts, continues when `release` is called. */
  holdReplay(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    this.gate = { reached, release: new Promise<void>((r) => (release = r)) };
    return { reached: reachedP, release };
  }

  async admitted(q: AdmittedQuery): Promise<AdmittedRow[]> {
    // the answer is the store's state when the read runs, as a database snapshot is
    if (q.through !== undefined) {
      this.replayReads += 1;
      const gate = this.gate;
      this.gate = undefined;
      if (gate) {
        gate.reached();
        await gate.release;
      }
    }
    const { after, through, limit, ...filter } = q;
    return this.rows.filter((r) => r.position > after && (through === undefined || r.position <= through) && matchesStreamFilter(r, filter)).slice(0, limit);
  }
}

/** A sink that records positions and can be told to say it is full. */
class RecordingSink implements SubscriptionSink {
  positions: number[] = [];

  full = false;

  private waiters: { position: number; resolve: () => void }[] = [];

  deliver(r: AdmittedRow): boolean {
    this.positions.push(r.position);
    for (const w of this.waiters.filter((x) => r.position >= x.position)) w.resolve();
    return !this.full;
  }

  async drained(): Promise<void> {}

  /** resolves once a row at `position` or later was delivered */
  reached(position: number): Promise<void> {
    if (this.positions.some((p) => p >= position)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }
}

/** Resolves once the hub handed out `position` (through a listener of the test's own). */
async function hubReached(hub: AdmittedHub, position: number): Promise<void> {
  let done!: () => void;
  const seen = new Promise<void>((r) => (done = r));
  const listener = (r: AdmittedRow) => r.position >= position && done();
  await hub.subscribe(listener);
  await seen;
  hub.unsubscribe(listener);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function setup(opts: { pageSize?: number } = {}) {
  const ledger = new FakeLedger();
  const hub = new AdmittedHub(async () => ledger, { pollMs: 1, pageSize: opts.pageSize ?? 7, onError: (err) => assert.fail(String(err)) });
  const subscribe = (from: number | undefined, filter: StreamFilter = {}, sink = new RecordingSink(), maxHeldBytes = 1e9) => {
    const sub = new Subscription(hub, async () => ledger, from, filter, sink, { pageSize: opts.pageSize ?? 7, maxHeldBytes });
    return { sub, sink, started: sub.start() };
  };
  return { ledger, hub, subscribe };
}

test('a resume from the middle: the backlog, the rows admitted during its replay and the live ones, each once and in order', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  ledger.append(40);
  // keep the hub running with a listener of its own, so h0 is 40 when the subscriber joins
  await hub.subscribe(() => {});
  const hold = ledger.holdReplay();
  const { sink, started } = subscribe(12);
  await hold.reached; // the replay's first page is being read...
  ledger.append(25); // ...while 25 more are admitted
  await hubReached(hub, 65); // and the hub hands them out live: the subscriber must hold them
  hold.release();
  await started;
  ledger.append(5);
  await sink.reached(70);
  assert.deepEqual(sink.positions, range(13, 70));
  hub.close();
});

test('the hand-over under many interleavings (page sizes, resume points, admissions during each replay page), with and without a filter', { timeout: 20_000 }, async () => {
  for (let seed = 1; seed <= 30; seed += 1) {
    const pageSize = 1 + (seed % 6);
    const { ledger, hub, subscribe } = setup({ pageSize });
    ledger.append(seed * 3);
    await hub.subscribe(() => {});
    const filter: StreamFilter = seed % 2 ? { composition_id: COMPOSITIONS[seed % 3]! } : {};
    const from = seed % 5 === 0 ? 0 : seed;
    // hold every replay page and admit a few rows while each one is read
    const subscriber = (() => {
      const hold = ledger.holdReplay();
      return { hold, ...subscribe(from, filter) };
    })();
    let hold = subscriber.hold;
    let pending = true;
    void subscriber.started.then(() => (pending = false));
    for (let page = 0; pending && page < 50; page += 1) {
      const reached = await Promise.race([hold.reached.then(() => true), subscriber.started.then(() => false)]);
      if (!reached) break;
      if (seed % 4) {
        ledger.append(seed % 4);
        await hubReached(hub, ledger.rows.length);
      }
      const next = ledger.holdReplay();
      hold.release();
      hold = next;
    }
    hold.release();
    await subscriber.started;
    ledger.append(3);
    await hubReached(hub, ledger.rows.length);
    const expected = ledger.rows.filter((r) => r.position > from && matchesStreamFilter(r, filter)).map((r) => r.position);
    assert.deepEqual(subscriber.sink.positions, expected, `seed ${seed}`);
    hub.close();
  }
});

test('without a resume position the stream starts at the hub head: nothing older, everything newer', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  ledger.append(10);
  const { sink, started } = subscribe(undefined);
  await started;
  assert.equal(ledger.replayReads, 0, 'no backlog to replay');
  ledger.append(4);
  await sink.reached(14);
  assert.deepEqual(sink.positions, [11, 12, 13, 14]);
  hub.close();
});

test('a resume position ahead of what the hub has seen skips the rows up to it', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  ledger.append(5);
  const { sink, started } = subscribe(8);
  await started;
  ledger.append(5);
  await sink.reached(10);
  assert.deepEqual(sink.positions, [9, 10]);
  hub.close();
});

test('a live row that takes the sink over its bound ends the subscription with overflow; a replay page does not', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  ledger.append(10);
  const sink = new RecordingSink();
  sink.full = true;
  const { sub, started } = subscribe(0, {}, sink);
  await started;
  assert.deepEqual(sink.positions, range(1, 10), 'the replay is paced by drained(), not cut off');
  ledger.append(3);
  assert.equal(await sub.ended, 'overflow');
  assert.deepEqual(sink.positions, range(1, 11), 'the live row that went over is the last one written');
  assert.equal(sub.position, 11, 'the client resumes after it');
  // 11 to 13 were appended at once, so the hub handed them out in the run that ended the subscription
  assert.deepEqual(sink.positions, range(1, 11), 'nothing after it');
  hub.close();
});

test('too many live rows held during a slow replay end the subscription with overflow instead of growing', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  ledger.append(20);
  await hub.subscribe(() => {});
  const hold = ledger.holdReplay();
  const { sub, started } = subscribe(0, {}, new RecordingSink(), 3 * row(1).body.length);
  await hold.reached;
  ledger.append(10);
  await hubReached(hub, 30);
  assert.equal(await sub.ended, 'overflow');
  hold.release();
  await started;
  hub.close();
});

test('the hub reads the newest rows once per poll for all its subscribers, unfiltered, and each subscriber filters for itself', { timeout: 20_000 }, async () => {
  const { ledger, hub, subscribe } = setup();
  const reads: AdmittedQuery[] = [];
  const admitted = ledger.admitted.bind(ledger);
  ledger.admitted = async (q) => {
    reads.push(q);
    return admitted(q);
  };
  ledger.append(2);
  const a = subscribe(undefined, { composition_id: 'cmp_a' });
  const b = subscribe(undefined, { composition_id: 'cmp_b' });
  await Promise.all([a.started, b.started]);
  ledger.append(6);
  await Promise.all([a.sink.reached(6), b.sink.reached(7)]);
  assert.deepEqual(a.sink.positions, [3, 6]);
  assert.deepEqual(b.sink.positions, [4, 7]);
  assert.ok(reads.every((q) => Object.keys(q).sort().join() === 'after,limit'), 'polls carry no filter: one read serves every subscriber');
  a.sub.stop();
  b.sub.stop();
  hub.close();
});
