// The replay corpus (issue 14, item 3): every history in test/fixtures/histories was recorded by earlier
// workflow code (test/workflow/record-histories.ts) and must replay through today's code without
// nondeterminism — a composition running in production when a worker is upgraded replays exactly like this.
// A change that alters the workflow's command sequence for any recorded path fails here, naming the file.
// Never re-record a file to make this pass; add kinds for new paths instead (see the script's README).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import '../helpers/quiet-temporal.js';
import { historyFromJson, type History } from '../../audit/bundle/history-json.js';
import { verify } from '../../audit/verify.js';
import type { AuditEvent } from '../../schemas/catalog.js';

const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** Every kind of composition the corpus must hold (one composition each; continue-as-new has several runs). */
const EXPECTED_KINDS = [
  'happy-path-attest-update',
  'happy-path-attest-signal',
  'refusal-bad-token',
  'refusal-missing-scope',
  'refusal-abac-deny',
  'refusal-wrong-state',
  'refusal-not-lease-holder',
  'refusal-ledger-field',
  'refusal-invalid-payload',
  'opening-refused',
  'opening-timeout',
  'lease-expiry',
  'lease-expiry-in-evidence',
  'lease-renew-release',
  'evidence-rejected-resumed',
  'cancel',
  'concurrent-claims',
  'pdp-outage-retried',
  'continue-as-new',
  'open-mid-lease',
  // recorded under the trust-model rules (patched('trust-model-2026-12'))
  'trust-happy-path',
  'trust-opening-refused-then-opened',
  'trust-holder-only-and-evidence-mismatch',
  // recorded on the fast path (patched('fast-path-2026-12'), workflows/effects.ts)
  'fast-happy-path',
  'fast-refusals',
  'fast-pdp-outage-slow-path',
  'fast-lease-expiry',
  'fast-open-mid-lease',
  // recorded after corrections (coordination.correction.v1, workflows/correction-target.ts)
  'fast-correction',
  'fast-correction-refusals',
] as const;
/** Kinds recorded over several runs, and how many runs at least. */
const MULTI_RUN: Partial<Record<(typeof EXPECTED_KINDS)[number], number>> = { 'continue-as-new': 2 };

interface CorpusFile {
  file: string;
  kind: string;
  run: number;
  json: { events: Record<string, unknown>[] };
}

function loadCorpus(): CorpusFile[] {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => {
      const m = /^(.+?)(?:-run(\d+))?\.json$/.exec(file)!;
      return { file, kind: m[1]!, run: Number(m[2] ?? 1), json: JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as CorpusFile['json'] };
    });
  // runs of one composition in order, so the audit stream is recomputed in order
  return files.sort((a, b) => a.kind.localeCompare(b.kind) || a.run - b.run);
}

const corpus = loadCorpus();
const workflowIdOf = (kind: string) => `cmp_corpus_${kind.replaceAll('-', '_')}`;

test('the corpus is not empty and holds every kind of composition', () => {
  assert.ok(corpus.length > 0, `no histories in ${HISTORIES_DIR}`);
  const runsOf = (kind: string) => corpus.filter((c) => c.kind === kind).map((c) => c.run);
  const missing = EXPECTED_KINDS.filter((kind) => runsOf(kind).length === 0);
  assert.deepEqual(missing, [], `kinds without a recorded history: ${missing.join(', ')}`);
  for (const [kind, min] of Object.entries(MULTI_RUN)) {
    const runs = runsOf(kind);
    assert.deepEqual(runs, Array.from({ length: runs.length }, (_, i) => i + 1), `${kind}: runs must be numbered 1…n`);
    assert.ok(runs.length >= min!, `${kind}: ${runs.length} run(s), expected at least ${min}`);
  }
  for (const { file, json } of corpus) {
    assert.ok(Array.isArray(json.events) && json.events.length > 0, `${file}: no events`);
    assert.equal(json.events[0]!.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', `${file}: does not start with the workflow's start`);
  }
});

/** Every string a history holds, payloads decoded (their data is base64 of JSON, where a bare regex would see "eyJ…" everywhere). */
function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsOf(v);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.data === 'string' && o.metadata && typeof o.metadata === 'object') {
      yield Buffer.from(o.data, 'base64').toString('utf8');
      yield* stringsOf(o.metadata);
    } else for (const v of Object.values(o)) yield* stringsOf(v);
  }
}
const JWT_SHAPE = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/;

test('no history holds a JWT-shaped string (the corpus is in git)', () => {
  const leaks = corpus.filter(({ json }) => [...stringsOf(json)].some((s) => JWT_SHAPE.test(s))).map((c) => c.file);
  assert.deepEqual(leaks, [], `JWT-shaped strings in ${leaks.join(', ')}`);
});

type Published = Pick<AuditEvent, 'event_id' | 'this_hash'>;
const decode = (payload: { data: string }): unknown => JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));

/**
 * What a history says was published, in order: the events its regular publish activities were given, and
 * on the fast path the acks its local publish activities returned (their markers keep results, not inputs;
 * the ack names the event and its hash, which covers every byte of it).
 */
function publishedIn(json: CorpusFile['json']): Published[] {
  return json.events.flatMap((e): Published[] => {
    const scheduled = e.activityTaskScheduledEventAttributes as { activityType: { name: string }; input: { payloads: { data: string }[] } } | undefined;
    if (scheduled?.activityType.name === 'publishAuditEvent') return [decode(scheduled.input.payloads[0]!) as AuditEvent];
    const marker = e.markerRecordedEventAttributes as { markerName: string; details: Record<string, { payloads: { data: string }[] }> } | undefined;
    if (marker?.markerName !== 'core_local_activity') return [];
    const meta = decode(marker.details.data!.payloads[0]!) as { activity_type: string };
    const result = marker.details.result?.payloads[0];
    return meta.activity_type === 'publishAuditEvent' && result ? [decode(result) as Published] : []; // no result: a failed attempt
  });
}
const ids = (events: readonly Published[]) => events.map((e) => `${e.event_id} ${e.this_hash}`);

test('every recorded history replays through the current workflow code, and replay rebuilds the audit events it published', async () => {
  const built = new Map<string, AuditEvent[]>(); // by run id
  const sinks = {
    audit: {
      built: {
        fn: (info: { runId: string }, event: AuditEvent) => {
          const events = built.get(info.runId) ?? [];
          events.push(JSON.parse(JSON.stringify(event)) as AuditEvent); // out of the workflow sandbox's realm
          built.set(info.runId, events);
        },
        callDuringReplay: true,
      },
    },
  };
  const inputs: { history: History; workflowId: string }[] = corpus.map(({ json, kind }) => ({ history: historyFromJson(json), workflowId: workflowIdOf(kind) }));
  const failures: string[] = [];
  const streams = new Map<string, AuditEvent[]>(); // by kind, runs in order
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath, sinks }, inputs)) {
    const { file, kind, json } = corpus[i++]!;
    if (result.error) {
      // the core's own words ("[TMPRL1100] Nondeterminism error: …") when there are some, else the whole message
      const detail = /\[TMPRL\d+\][^"]*/.exec(result.error.message)?.[0] ?? result.error.message;
      failures.push(`${file}: ${result.error.name}: ${detail}`);
      continue;
    }
    const rebuilt = built.get(result.runId) ?? [];
    const [want, got] = [ids(publishedIn(json)), ids(rebuilt)];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      const at = got.findIndex((e, n) => e !== want[n]);
      const n = at < 0 ? Math.min(got.length, want.length) : at;
      failures.push(`${file}: replay rebuilt ${got.length} audit event(s), ${want.length} were published; they differ from #${n} (${want[n] ?? got[n]})`);
    }
    streams.set(kind, [...(streams.get(kind) ?? []), ...rebuilt]);
  }
  assert.equal(i, corpus.length, `replayed ${i} of ${corpus.length} histories`);
  if (failures.length) assert.fail(`${failures.length} of ${corpus.length} recorded histories do not replay through the current workflow code (or replay to other audit events):\n${failures.join('\n')}`);
  for (const [kind, events] of streams) {
    const result = verify(events);
    assert.equal(result.ok, true, `${kind}: the rebuilt audit chain does not verify: ${JSON.stringify(result.first_break)}`);
  }
});
