/**
 * One line of events.jsonl on its own: bounded, JSON, exactly its event's canonical JSON, an event of the
 * catalog (schemas/catalog.ts validateEvent — the contracts have one home), and carrying its own hash. The
 * checks and their order are those of the edge worker's events pass and audit/verify.ts's ChainVerifier; a
 * hostile line is a finding, never a throw.
 */
import { canonicalJson } from '../../../../audit/canonical.js';
import { validateEvent, type AuditEvent } from '../../../../schemas/catalog.js';
import { utf8Length } from './bytes.js';
import { thisHashOf } from './hash.js';
import { MAX_LINE_BYTES } from './limits.js';
import type { BreakCode } from './types.js';

export interface Finding {
  code: BreakCode;
  /** the Node verifier's name for it */
  kind: string;
  message: string;
}

export interface LineCheck {
  /** the parsed line, when it is JSON (a plain object or not) */
  value?: unknown;
  /** the event, when the line is a catalog event (its hash not yet trusted: see hashOk) */
  event?: AuditEvent;
  /** event_id, composition_id and schema_id as the line states them (strings only) */
  found: { event_id: string | null; composition_id: string | null; schema_id: string | null };
  hashOk: boolean;
  /** counted as an event (a blank line is not one; a line too long to read is) */
  counted: boolean;
  /** the line could be parsed: a chain can be judged from it */
  parsed: boolean;
  findings: Finding[];
}

const stringField = (value: unknown, field: string): string | null => {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, field)) return null;
  const v = (value as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : null;
};

const NONE = { event_id: null, composition_id: null, schema_id: null };

export async function checkEventLine(text: string): Promise<LineCheck> {
  if (text === '') return { found: NONE, hashOk: false, counted: false, parsed: false, findings: [{ code: 'not_canonical', kind: 'not_canonical', message: 'a blank line' }] };
  if (text.length > MAX_LINE_BYTES || utf8Length(text) > MAX_LINE_BYTES) {
    const message = `the line is longer than ${MAX_LINE_BYTES} bytes: it is not read`;
    return { found: NONE, hashOk: false, counted: true, parsed: false, findings: [{ code: 'malformed_line', kind: 'line_too_long', message }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { found: NONE, hashOk: false, counted: true, parsed: false, findings: [{ code: 'malformed_line', kind: 'invalid_event', message: `not JSON: ${(err as Error).message}` }] };
  }
  const found = { event_id: stringField(value, 'event_id'), composition_id: stringField(value, 'composition_id'), schema_id: stringField(value, 'schema_id') };
  const findings: Finding[] = [];
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(value);
  } catch {
    canonical = undefined;
  }
  if (canonical !== text) findings.push({ code: 'not_canonical', kind: 'not_canonical', message: 'the line is not the RFC 8785 canonical JSON of its event' });

  const validation = validateEvent(value);
  if (!validation.ok) {
    findings.push({ code: 'invalid_event', kind: validation.kind, message: `${validation.path}: ${validation.message}` });
    return { value, found, hashOk: false, counted: true, parsed: true, findings };
  }
  const event = validation.event;
  const recomputed = await thisHashOf(event as unknown as Record<string, unknown>);
  const hashOk = recomputed === event.this_hash;
  if (!hashOk) findings.push({ code: 'hash_mismatch', kind: 'hash_mismatch', message: `this_hash is ${event.this_hash} but the event hashes to ${recomputed}` });
  return { value, event, found, hashOk, counted: true, parsed: true, findings };
}
