// The publish journal (activities/publish-journal.ts): an earlier attempt's event is handed back only when it
// is the same link with other content; a cut-short file, another link, a hostile id are not.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeThisHash } from '../../../audit/chain.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { fileJournal } from '../../../activities/publish-journal.js';
import type { AuditEvent } from '../../../schemas/catalog.js';

const events = buildVrsExample();
/** The same link as `event`, built by another attempt: another workflow clock, so other content and hash. */
function retried(event: AuditEvent): AuditEvent {
  const other: AuditEvent = { ...event, ts_utc: '2030-01-01T00:00:00.000Z' };
  return { ...other, this_hash: computeThisHash(other as unknown as Record<string, unknown>) };
}

test('a retry of the same link gets the event the earlier attempt began to publish', () => {
  const journal = fileJournal(mkdtempSync(join(tmpdir(), 'journal-')));
  const first = events[2]!;
  journal.begin(first);
  assert.deepEqual(journal.earlier(retried(first)), first);
  assert.equal(journal.earlier(first), undefined, 'the same event again is no earlier attempt');
});

test('another link of the composition is not adopted: the next event, or the same id after another predecessor', () => {
  const journal = fileJournal(mkdtempSync(join(tmpdir(), 'journal-')));
  journal.begin(events[2]!);
  assert.equal(journal.earlier(events[3]!), undefined);
  assert.equal(journal.earlier({ ...retried(events[2]!), prev_hash: events[0]!.this_hash }), undefined);
});

test('a file cut short by a crash while it was written counts as nothing begun; files are owner-only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const journal = fileJournal(dir);
  const first = events[1]!;
  journal.begin(first);
  const [name] = readdirSync(dir);
  assert.equal(statSync(join(dir, name!)).mode & 0o777, 0o600);
  writeFileSync(join(dir, name!), JSON.stringify(first).slice(0, 100));
  assert.equal(journal.earlier(retried(first)), undefined);
});

test('an id that is not a composition id never names a file (no path from the event)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const journal = fileJournal(dir);
  const hostile = { ...events[1]!, composition_id: 'cmp_../../etc/x' } as AuditEvent;
  journal.begin(hostile);
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(journal.earlier(hostile), undefined);
});

test('prune drops what has not been written for longer than asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  const journal = fileJournal(dir);
  journal.begin(events[1]!);
  journal.begin(buildVrsExample('cmp_other')[1]!);
  const [old] = readdirSync(dir).sort();
  utimesSync(join(dir, old!), new Date(0), new Date(0));
  assert.equal(journal.prune(3600_000), 1);
  assert.equal(readdirSync(dir).length, 1);
});
