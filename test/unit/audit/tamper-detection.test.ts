// Generated tampering: every single edit of a two-composition stream is found at the right index with the right kind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventIdFor } from '../../../audit/event-id.js';
import { verify, type BreakKind } from '../../../audit/verify.js';
import { validateEvent, type AuditEvent } from '../../../schemas/catalog.js';
import { CMP_A, CMP_B, clone, interleavedStream, rehash } from '../../helpers/audit-streams.js';

const stream = interleavedStream();
const heads: Record<string, string> = { [CMP_A]: stream.at(-2)!.this_hash, [CMP_B]: stream.at(-1)!.this_hash };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every leaf of a JSON value, as a path. */
function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    return entries.length ? entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k])) : [prefix];
  }
  return [prefix];
}

/** A different value of the same JSON type; strings keep their shape (one character changed). */
function mutate(value: Json): Json {
  if (typeof value === 'number') return Number.isInteger(value) ? value + 1 : value / 2;
  if (typeof value === 'boolean') return !value;
  if (value === null) return 'tampered';
  if (typeof value === 'string') {
    const i = value.length - 1;
    const c = value[i] ?? '';
    const replacement = /[0-8]/.test(c) ? String(Number(c) + 1) : c === '9' ? '0' : /[a-eA-E]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : c === 'Z' ? 'Y' : 'a';
    return value.length ? value.slice(0, i) + replacement : 'x';
  }
  return value;
}

function setPath(root: Json, path: (string | number)[], value: Json): void {
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path.at(-1)!] = value;
}

/** What the verifier must say of an edited event: the schema catches malformed edits, the hash all others. */
function expectedKind(edited: unknown): BreakKind {
  const v = validateEvent(edited);
  return v.ok ? 'hash_mismatch' : v.kind;
}

function assertBreak(events: unknown[], index: number, kind: BreakKind, eventId: string | null, opts = {}) {
  const result = verify(events, opts);
  assert.equal(result.ok, false, `expected ${kind} at ${index}`);
  assert.deepEqual({ index: result.first_break!.index, kind: result.first_break!.kind, event_id: result.first_break!.event_id }, { index, kind, event_id: eventId });
}

test('the untouched stream verifies: 18 events, 2 compositions, heads reached', () => {
  const result = verify(stream, { heads });
  assert.equal(result.ok, true);
  assert.equal(result.events, 18);
  assert.equal(result.compositions, 2);
  assert.equal(result.first_break, null);
});

test('every leaf field of every event, edited, is found at that event', () => {
  let cases = 0;
  const kinds = new Map<string, number>();
  stream.forEach((event, index) => {
    for (const path of leafPaths(event as unknown as Json)) {
      const edited = clone(event) as unknown as Json;
      const original = path.reduce<Json>((n, k) => (n as Record<string | number, Json>)[k]!, edited);
      setPath(edited, path, mutate(original));
      assert.notDeepEqual(edited, event, path.join('.'));
      const events: unknown[] = [...stream];
      events[index] = edited;
      const kind = expectedKind(edited);
      const eventId = typeof (edited as { event_id?: unknown }).event_id === 'string' ? (edited as { event_id: string }).event_id : null;
      assertBreak(events, index, kind, eventId);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      cases += 1;
    }
  });
  assert.ok(cases > 500, `${cases} edits`);
  assert.ok((kinds.get('hash_mismatch') ?? 0) > cases / 2, JSON.stringify([...kinds]));
});

test('every top-level field removed is an invalid event at that index', () => {
  stream.forEach((event, index) => {
    for (const key of Object.keys(event)) {
      const edited: Record<string, unknown> = { ...event };
      delete edited[key];
      const events: unknown[] = [...stream];
      events[index] = edited;
      const kind = key === 'schema_id' ? 'unknown_schema' : 'invalid_event';
      assertBreak(events, index, kind, key === 'event_id' ? null : event.event_id);
    }
  });
});

test('each event deleted: a sequence gap where its successor now stands; a deleted last event is a truncation against the head', () => {
  stream.forEach((event, index) => {
    const events = stream.filter((_, i) => i !== index);
    const successor = events.findIndex((e, i) => i >= index && e.composition_id === event.composition_id);
    if (successor >= 0) {
      assertBreak(events, successor, 'sequence_gap', events[successor]!.event_id);
      assertBreak(events, successor, 'sequence_gap', events[successor]!.event_id, { heads });
    } else {
      assert.equal(verify(events).ok, true, 'a cut tail is a valid prefix without a known head');
      assertBreak(events, events.length, 'truncated', event.event_id, { heads: { [event.composition_id]: heads[event.composition_id]! } });
    }
  });
});

test('neighbours of one composition swapped: reordered at the first of them; across compositions, order does not matter', () => {
  for (let i = 0; i + 2 < stream.length; i++) {
    const within = [...stream];
    [within[i], within[i + 2]] = [within[i + 2]!, within[i]!]; // i and i+2 are neighbours in the same composition
    assertBreak(within, i, 'reordered', within[i]!.event_id);
  }
  for (let i = 0; i + 1 < stream.length; i++) {
    const across = [...stream];
    [across[i], across[i + 1]] = [across[i + 1]!, across[i]!];
    assert.equal(verify(across, { heads }).ok, true, `swap ${i}/${i + 1} across compositions`);
  }
});

test('an event inserted: a forged successor is exposed by the original as a conflicting duplicate', () => {
  for (let k = 0; k < stream.length - 2; k++) {
    const original = stream[k + 2]!; // the next event of the same composition
    const forged = rehash({ ...clone(original), ts_utc: '2026-04-30T23:59:59.999Z' } as unknown as Record<string, unknown>);
    const events: unknown[] = [...stream.slice(0, k + 1), forged, ...stream.slice(k + 1)];
    assertBreak(events, k + 3, 'conflicting_duplicate', original.event_id);
  }
});

test('an event re-hashed with a prev_hash that does not fit: broken_link there; a causal_predecessor that does not fit: causal_mismatch', () => {
  for (let k = 2; k < stream.length; k++) {
    const target = stream[k]!;
    const wrongLink = rehash({ ...clone(target), prev_hash: `sha256:${'0'.repeat(64)}` } as unknown as Record<string, unknown>);
    const events: unknown[] = [...stream];
    events[k] = wrongLink;
    assertBreak(events, k, 'broken_link', target.event_id);
    const wrongCause = rehash({ ...clone(target), causal_predecessor: eventIdFor(target.composition_id, 99) } as unknown as Record<string, unknown>);
    events[k] = wrongCause;
    assertBreak(events, k, 'causal_mismatch', target.event_id);
  }
});

test('an edit re-hashed by a forger passes its own check and breaks the next link', () => {
  for (let k = 0; k < stream.length - 2; k++) {
    const edited = rehash({ ...clone(stream[k]!), ts_utc: '2026-05-01T00:00:00.000Z' } as unknown as Record<string, unknown>);
    const events: unknown[] = [...stream];
    events[k] = edited;
    assertBreak(events, k + 2, 'broken_link', stream[k + 2]!.event_id);
  }
});

test('identical duplicates are ignored wherever they land (at-least-once publishing)', () => {
  for (let k = 0; k < stream.length; k++) {
    const events = [...stream, stream[k]!];
    const result = verify(events, { heads });
    assert.equal(result.ok, true);
    assert.equal(result.duplicates, 1);
  }
});

test('an inserted event of an unknown schema, or a line that is not an object, is reported where it stands', () => {
  const unknown = rehash({ ...clone(stream[4]!), schema_id: 'coordination.teleported.v1' } as unknown as Record<string, unknown>);
  assertBreak([...stream.slice(0, 5), unknown, ...stream.slice(5)], 5, 'unknown_schema', stream[4]!.event_id);
  assertBreak([...stream.slice(0, 3), 'not an event', ...stream.slice(3)], 3, 'invalid_event', null);
});

test('the tail cut, with heads known: truncated at the end of the stream, naming the first missing event', () => {
  for (let cut = 1; cut <= 6; cut++) {
    const events = stream.slice(0, stream.length - cut);
    const missingA = stream.slice(-cut).find((e) => e.composition_id === CMP_A);
    const firstMissing = missingA ?? stream.slice(-cut).find((e) => e.composition_id === CMP_B)!;
    assertBreak(events, events.length, 'truncated', firstMissing.event_id, { heads });
  }
});

test('compositions are verified independently: a break in B does not hide that A holds, and is reported at its line', () => {
  const events: AuditEvent[] = clone(stream);
  (events[7]!.payload as Record<string, unknown>).match_count = 1; // B's 4th event
  const result = verify(events);
  assert.equal(result.first_break!.composition_id, CMP_B);
  assert.equal(result.first_break!.index, 7);
  assert.equal(verify(events.filter((e) => e.composition_id === CMP_A), { heads: { [CMP_A]: heads[CMP_A]! } }).ok, true);
});
