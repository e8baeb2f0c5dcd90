// The ledger against the real Kafka and schema registry: wire-format decoding through the registry,
// idempotent ingest, quarantine with the right reason, and a consumer killed mid-batch (before and after
// its database commit) losing and doubling nothing.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { highWatermarks } from '../../kafka/reader.js';
import { ingestToEnd } from '../../ledger/status.js';
import { type LedgerStore } from '../../ledger/store.js';
import { openLedgerStore } from '../../ledger/open-store.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { verify } from '../../audit/verify.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';
import { startProcess, stopProcess } from '../../workers/services.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { clone, rehash } from '../helpers/audit-streams.js';
import { produce, scratchLedgerUrl, scratchTopic, wireBytes } from '../helpers/ledger.js';
import { testEmitter } from '../helpers/emitter.js';
import { loadEmitterSigner } from '../../kafka/emitter-keys.js';
import type { EmitterSigner } from '../../audit/emitter-signature.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const registryUrl = () => schemaRegistryEndpoint().address;
before(stackReady);

async function allEvents(store: LedgerStore): Promise<AuditEvent[]> {
  return (await store.events({ limit: 100_000 })).events as AuditEvent[];
}

test('an event produced with the worker’s credentials but no valid emitter signature is quarantined with its reason; the genuine chain continues', async () => {
  const topic = await scratchTopic('signatures');
  const store = await openLedgerStore(scratchLedgerUrl());
  try {
    const d = buildVrsExample(newCompositionId());
    await produce(topic, d.slice(0, 4));
    // a well-formed, correctly chained forgery of the next event: the broker takes it (worker credentials)
    const forgedNext = rehash({ ...clone(d[4]!), ts_utc: '2031-01-01T00:00:00.000Z' });
    const genuine = loadEmitterSigner();
    const replayed = { kid: genuine.kid, sign: () => genuine.sign(d[0]!.this_hash) } as unknown as EmitterSigner; // a real signature, of another event
    await produce(topic, [forgedNext], { signer: null }); // signature_missing
    await produce(topic, [forgedNext], { signer: testEmitter().signer }); // unknown_signer
    await produce(topic, [forgedNext], { signer: replayed }); // signature_invalid
    await produce(topic, d.slice(4));
    await ingestToEnd(store, topic);
    const { entries } = await store.quarantine({ limit: 100 });
    assert.deepEqual(entries.map((e) => [e.reason, e.this_hash]), [
      ['signature_missing', forgedNext.this_hash],
      ['unknown_signer', forgedNext.this_hash],
      ['signature_invalid', forgedNext.this_hash],
    ]);
    assert.deepEqual(await store.counts(), { events: 9, compositions: 1, quarantined: 3 }, 'the genuine chain is whole');
    assert.equal((await allEvents(store)).at(-1)!.this_hash, d[8]!.this_hash);
  } finally {
    await store.close();
  }
});

test('duplicates are no-ops and every kind of bad message lands in quarantine with its reason', async () => {
  const topic = await scratchTopic('ingest');
  const store = await openLedgerStore(scratchLedgerUrl());
  try {
    const a = buildVrsExample(newCompositionId());
    const b = buildVrsExample(newCompositionId());
    // the real chains, each event published twice (at-least-once)
    await produce(topic, [...a, ...a.slice(0, 4), ...b]);
    await ingestToEnd(store, topic);
    assert.deepEqual(await store.counts(), { events: 18, compositions: 2, quarantined: 0 });

    const edited = clone(a[2]!);
    edited.ts_utc = '2031-01-01T00:00:00Z';
    const forged = rehash(edited); // a forger who recomputes this_hash
    const requestedId = await new AuditSerializer(registryUrl(), topic).schemaIdFor(a[0]!.schema_id);
    const c = buildVrsExample(newCompositionId());
    await produce(topic, [
      edited, // hash_mismatch
      forged, // conflicting_duplicate
      c[1]!, // sequence_gap: c starts at its second event
      wireBytes(requestedId, a[1]), // unknown_schema: encoded under another schema's id
      wireBytes(987_654, a[1]), // unknown_schema: an id the registry never issued
      Buffer.from('not wire format'), // invalid_event
    ]);
    await ingestToEnd(store, topic);
    const { entries } = await store.quarantine({ limit: 100 });
    // partitions interleave: compare as sets
    assert.deepEqual(entries.map((e) => e.reason).sort(), ['conflicting_duplicate', 'hash_mismatch', 'invalid_event', 'sequence_gap', 'unknown_schema', 'unknown_schema']);
    assert.equal(entries.find((e) => e.reason === 'hash_mismatch')!.event_id, a[2]!.event_id);
    assert.equal(entries.find((e) => e.reason === 'conflicting_duplicate')!.this_hash, forged.this_hash);
    assert.ok(entries.every((e) => e.source.topic === topic), 'each quarantine row says where the message was');
    assert.deepEqual(await store.counts(), { events: 18, compositions: 2, quarantined: 6 }, 'the canonical table is untouched');

    // a second consumer over the whole topic changes nothing
    const again = await openLedgerStore(scratchLedgerUrl());
    await ingestToEnd(again, topic);
    assert.deepEqual(await again.counts(), await store.counts());
    await again.close();
  } finally {
    await store.close();
  }
});

for (const point of ['before-db-commit', 'after-db-commit'] as const) {
  test(`a ledger killed ${point.replace(/-/g, ' ')} of a batch resumes with nothing lost or doubled`, async () => {
    const topic = await scratchTopic(`crash-${point}`);
    const url = scratchLedgerUrl();
    const compositions = Array.from({ length: 120 }, () => buildVrsExample(newCompositionId()));
    // at-least-once: a tenth of the compositions arrive twice
    await produce(topic, [...compositions.flat(), ...compositions.slice(0, 12).flat()]);
    const env = { ...process.env, COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: url, COORD_LEDGER_METRICS_ADDRESS: '127.0.0.1:0', COORD_SELF_AUDIT_INTERVAL: '3600' };

    // The ledger ingests before it logs "ready": on a busy machine it can reach the failpoint first.
    const exit = await startProcess('ledger', 'workers/ledger.ts', 'ledger ready', { ...env, COORD_LEDGER_FAILPOINT: `${point}:2` }, `test-ledger-${point}`).then(
      ({ proc }) => new Promise<string | null>((resolve) => proc.child.once('exit', (_code, signal) => resolve(signal))),
      (err: Error) => /exited with (SIG[A-Z]+) before it was ready/.exec(err.message)?.[1] ?? Promise.reject(err),
    );
    assert.equal(exit, 'SIGKILL', 'the ledger died at the failpoint');

    const store = await openLedgerStore(url);
    try {
      const partial = (await store.counts()).events;
      assert.ok(partial < 120 * 9, `the crash left the ingest unfinished (${partial} events)`);

      const healthy = await startProcess('ledger', 'workers/ledger.ts', 'ledger ready', env, `test-ledger-${point}`);
      try {
        const high = await highWatermarks(topic);
        await waitFor(
          async () => {
            const at = await store.positions(topic);
            return [...high].every(([p, h]) => (at.get(p) ?? 0n) >= h);
          },
          { what: 'the restarted ledger to reach the end of the topic', timeoutMs: 60_000 },
        );
      } finally {
        await stopProcess(healthy.proc);
      }
      assert.deepEqual(await store.counts(), { events: 120 * 9, compositions: 120, quarantined: 0 });
      const events = await allEvents(store);
      const chain = verify(events);
      assert.equal(chain.ok, true, JSON.stringify(chain.first_break));
      assert.equal(chain.duplicates, 0, 'no event stored twice');
    } finally {
      await store.close();
    }
  });
}
