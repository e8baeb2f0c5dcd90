// `coord audit events | quarantine` on the ledger's newer axes, as an auditor runs them against a ledger
// file: look-up by event id and hash, composition type, lease holder, entity references, ingest time.
// Bad values are usage errors (exit 2) naming the option; SQL metacharacters find nothing and harm nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT } from '../../../config/paths.js';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { ingestInto, QUERY_STREAMS } from '../../helpers/ledger-query-cases.js';

const { A, C } = QUERY_STREAMS;
const file = join(mkdtempSync(join(tmpdir(), 'coord-ledger-query-')), 'ledger.db');

before(async () => {
  const store = SqliteLedgerStore.open(file);
  await ingestInto(store, [...A, { schema_id: 'nope', event_id: 'evt_refused' }], Date.parse('2026-01-01T00:00:00Z'));
  await ingestInto(store, C, Date.parse('2026-01-02T00:00:00Z'));
  await store.close();
});

function coord(...args: string[]) {
  const res = spawnSync(process.execPath, ['bin/coord.mjs', 'audit', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COORD_LEDGER_URL: `sqlite:${file}` } });
  return { status: res.status, stderr: res.stderr, json: () => JSON.parse(res.stdout) as { events?: AuditEvent[]; entries?: { event_id: string | null }[] } };
}
const ids = (events: AuditEvent[] | undefined) => (events ?? []).map((e) => e.event_id);

test('--event and --hash look up one event; --composition-type, --lease-holder, --ref and --ingested-* filter', () => {
  assert.deepEqual(ids(coord('events', '--event', A[2]!.event_id, '--json').json().events), [A[2]!.event_id]);
  assert.deepEqual(ids(coord('events', '--hash', C[8]!.this_hash, '--json').json().events), [C[8]!.event_id]);
  assert.deepEqual(ids(coord('events', '--composition-type', 'fusion_run', '--lease-holder', 'agent_other', '--all', '--json').json().events), ids(C));
  assert.deepEqual(ids(coord('events', '--ref', 'lens_fusion', '--ref-field', 'lens_id', '--json').json().events), [0, 2, 4, 5].map((i) => C[i]!.event_id));
  assert.deepEqual(ids(coord('events', '--ingested-since', '2026-01-02T00:00:00Z', '--json').json().events), ids(C));
  assert.deepEqual(ids(coord('events', '--ingested-until', '2026-01-02T00:00:00Z', '--json').json().events), ids(A));
});

test('quarantine by --event and --ingested-since/--ingested-until', () => {
  assert.deepEqual(coord('quarantine', '--event', 'evt_refused', '--reason', 'unknown_schema', '--json').json().entries!.map((e) => e.event_id), ['evt_refused']);
  assert.deepEqual(coord('quarantine', '--ingested-since', '2026-01-02T00:00:00Z', '--json').json().entries, []);
});

test('bad values are usage errors naming the option (exit 2)', () => {
  for (const [args, option] of [
    [['events', '--hash', 'sha256:nothex'], '--hash'],
    [['events', '--ref-field', 'password'], '--ref-field'],
    [['events', '--ref', 'x'.repeat(600)], '--ref'],
    [['events', '--ingested-since', 'yesterday'], '--ingested-since'],
    [['events', '--lease-holder', ''], '--lease-holder'],
    [['quarantine', '--reason', 'INCOMPLETE_PROVENANCE'], '--reason'],
    [['quarantine', '--event', 'e'.repeat(600)], '--event'],
  ] as [string[], string][]) {
    const res = coord(...args);
    assert.equal(res.status, 2, `${args.join(' ').slice(0, 60)}: ${res.stderr}`);
    assert.ok(res.stderr.startsWith(`${option}:`), res.stderr);
  }
});

test('SQL metacharacters find nothing and leave the ledger as it was', () => {
  for (const value of ["x' OR '1'='1", "'; DROP TABLE ledger_events; --"]) {
    const res = coord('events', '--ref', value, '--composition-type', value, '--json');
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(res.json().events, []);
  }
  assert.equal(coord('events', '--all', '--json').json().events!.length, A.length + C.length);
});
