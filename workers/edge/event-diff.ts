/**
 * The recomputed audit stream of one composition against the exported one: the first difference, named —
 * an event whose canonical JSON differs (which top-level fields), an event the replay built that the export
 * lacks, or one the export holds that the history does not produce.
 */
import { canonicalJson } from '../../audit/canonical.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { Mismatch } from './report.js';

const HASH_FIELDS = new Set(['this_hash', 'prev_hash']);
const MAX_VALUE = 160;

const show = (value: unknown) => {
  const text = value === undefined ? '(absent)' : canonicalJson(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first differing leaf under a field (sorted keys), e.g. `payload.match_count`. */
function firstLeaf(path: string, a: unknown, b: unknown): { path: string; a: unknown; b: unknown } {
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const [x, y] = [a[k], b[k]];
      if ((x === undefined ? undefined : canonicalJson(x)) !== (y === undefined ? undefined : canonicalJson(y))) return firstLeaf(`${path}.${k}`, x, y);
    }
  }
  return { path, a, b };
}

/** Top-level fields whose values differ; the hashes (which follow from the rest) last. */
export function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const differ = keys.filter((k) => (a[k] === undefined ? undefined : canonicalJson(a[k])) !== (b[k] === undefined ? undefined : canonicalJson(b[k])));
  return [...differ.filter((k) => !HASH_FIELDS.has(k)), ...differ.filter((k) => HASH_FIELDS.has(k))];
}

/** The event_id of an exported line, or null when the line does not say. */
export const idOf = (line: string): string | null => {
  try {
    const id = (JSON.parse(line) as { event_id?: unknown }).event_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
};

/** The first difference between what replay built and the exported lines of one composition, if any. */
export function firstDifference(compositionId: string, recomputed: readonly AuditEvent[], exported: readonly string[]): Mismatch | undefined {
  const at = (eventId: string | null, kind: Mismatch['kind'], detail: string, extra: Partial<Mismatch> = {}): Mismatch => ({ composition_id: compositionId, event_id: eventId, kind, detail, ...extra });
  for (let i = 0; i < Math.max(recomputed.length, exported.length); i++) {
    const built = recomputed[i];
    const line = exported[i];
    if (built && line === undefined) return at(built.event_id, 'missing_event', `replaying the history builds ${built.event_id} (${built.schema_id}); events.jsonl does not have it`);
    if (!built) return at(idOf(line!), 'extra_event', `events.jsonl holds ${idOf(line!) ?? `line ${i + 1} of the composition`}; replaying the history does not produce it`);
    const canonical = canonicalJson(built);
    if (canonical === line) continue;
    const lineId = idOf(line!);
    if (lineId !== built.event_id) {
      const later = exported.slice(i + 1).some((l) => idOf(l) === built.event_id);
      return later
        ? at(lineId, 'extra_event', `events.jsonl holds ${lineId} where replay builds ${built.event_id}`)
        : at(built.event_id, 'missing_event', `replaying the history builds ${built.event_id} (${built.schema_id}); events.jsonl has ${lineId ?? 'an unreadable line'} in its place`);
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line!) as Record<string, unknown>;
    } catch {
      return at(built.event_id, 'event_mismatch', 'the exported line is not JSON', { fields: [] });
    }
    const fields = differingFields(built as unknown as Record<string, unknown>, parsed);
    const first = fields[0];
    const leaf = first ? firstLeaf(first, (built as unknown as Record<string, unknown>)[first], parsed[first]) : undefined;
    const detail = leaf
      ? `${fields.join(', ')} differ${fields.length === 1 ? 's' : ''}; ${leaf.path}: replay builds ${show(leaf.a)}, events.jsonl has ${show(leaf.b)}`
      : 'the exported line is not the canonical JSON of the event replay builds';
    return at(built.event_id, 'event_mismatch', detail, { fields });
  }
  return undefined;
}
