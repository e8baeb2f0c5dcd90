/**
 * What a correction may supersede (issue 16 item 5), decided in the workflow from its own record — pure, no
 * I/O: an event of this composition, already recorded, neither a correction (correct the original instead)
 * nor a refusal record, named with the hash it was recorded with; the corrected fields must be fields of
 * that event's payload that its caller supplied (the ledger's own fields stay the ledger's account), each
 * valid for its field.
 */
import type { z } from 'zod';
import { sequenceOf } from '../audit/event-id.js';
import { definitionOf, issuePath } from '../schemas/catalog.js';
import { correction } from '../schemas/events/correction.js';
import type { Check, Refusal } from '../schemas/lifecycle.js';
import { REASON_CODES, type ReasonCode } from '../schemas/reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from '../schemas/schema-ids.js';
import { LEDGER_FIELDS } from './actions.js';

/**
 * How many of its latest events a composition remembers (schema id and hash each) for corrections to
 * name: the record travels across continue-as-new, so it is bounded. Older events answer "unknown".
 */
export const CORRECTABLE_WINDOW = 1000;

/** One remembered event as carried across continue-as-new: [sequence, schema_id, this_hash]. */
export type RecordedEntry = [number, string, string];

/** The latest events of a composition, by sequence: enough to check what a correction names. */
export class RecordedEvents {
  private readonly bySequence = new Map<number, { schemaId: string; thisHash: string }>();

  constructor(carried: readonly RecordedEntry[] = []) {
    for (const [sequence, schemaId, thisHash] of carried) this.note(sequence, schemaId, thisHash);
  }

  note(sequence: number, schemaId: string, thisHash: string): void {
    this.bySequence.set(sequence, { schemaId, thisHash });
    // sequences arrive in order, so the map's first key is the oldest
    while (this.bySequence.size > CORRECTABLE_WINDOW) this.bySequence.delete(this.bySequence.keys().next().value!);
  }

  get(sequence: number): { schemaId: string; thisHash: string } | undefined {
    return this.bySequence.get(sequence);
  }

  entries(): RecordedEntry[] {
    return [...this.bySequence].map(([sequence, e]) => [sequence, e.schemaId, e.thisHash]);
  }
}

export interface CorrectionFacts {
  compositionId: string;
  /** the sequence of the last event recorded in this composition */
  lastSequence: number;
  recorded: Pick<RecordedEvents, 'get'>;
}

const refuse = (code: ReasonCode, message: string): Refusal => ({ ok: false, code, message });

/** Checks a correction's payload against what this composition recorded. */
export function checkCorrectionTarget(facts: CorrectionFacts, payload: Record<string, unknown>): Check<true> {
  const parsed = correction.payload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(REASON_CODES.invalidPayload, `payload.${issuePath(issue.path)}: ${issue.message}`);
  }
  const { supersedes, supersedes_hash: hash, corrected } = parsed.data;
  const sequence = sequenceOf(supersedes, facts.compositionId);
  if (sequence === undefined) return refuse(REASON_CODES.correctionTargetForeign, `${supersedes} is not an event of ${facts.compositionId}`);
  if (sequence > facts.lastSequence) return refuse(REASON_CODES.correctionTargetUnknown, `${supersedes} has not been recorded (the last event is number ${facts.lastSequence})`);
  const target = facts.recorded.get(sequence);
  if (!target) {
    return refuse(REASON_CODES.correctionTargetUnknown, `${supersedes} is not in this composition's record of its latest ${CORRECTABLE_WINDOW} events (or was recorded before corrections were kept)`);
  }
  if (target.schemaId === SCHEMA_IDS.correction) return refuse(REASON_CODES.correctionOfCorrection, `${supersedes} is itself a correction: correct the event it supersedes instead`);
  if (target.schemaId === SCHEMA_IDS.accessDenied) return refuse(REASON_CODES.correctionTargetInvalid, `${supersedes} records a refusal, which is not corrected`);
  if (target.thisHash !== hash) return refuse(REASON_CODES.correctionHashMismatch, `payload.supersedes_hash is not the hash recorded for ${supersedes}`);
  return checkCorrectedFields(target.schemaId, corrected);
}

/** Each corrected field must be a caller-supplied field of the superseded event's payload, valid for it. */
function checkCorrectedFields(schemaId: string, corrected: Record<string, unknown>): Check<true> {
  const def = definitionOf(schemaId);
  const shape = (def?.payload as z.ZodObject | undefined)?.shape ?? {};
  const ledgerSet = LEDGER_FIELDS[schemaId as SchemaId] ?? [];
  for (const [field, value] of Object.entries(corrected)) {
    const fieldSchema = Object.hasOwn(shape, field) ? (shape[field] as z.ZodType) : undefined;
    if (!fieldSchema) return refuse(REASON_CODES.invalidPayload, `payload.corrected.${field}: not a payload field of ${schemaId}`);
    if (ledgerSet.includes(field)) return refuse(REASON_CODES.invalidPayload, `payload.corrected.${field}: set by the ledger, not corrected by a caller`);
    const valid = fieldSchema.safeParse(value);
    if (!valid.success || value === undefined) {
      const issue = valid.success ? undefined : valid.error.issues[0];
      const sub = issue && issue.path.length ? `.${issuePath(issue.path)}` : '';
      return refuse(REASON_CODES.invalidPayload, `payload.corrected.${field}${sub}: ${issue?.message ?? 'a value is required'}`);
    }
  }
  return { ok: true, value: true };
}
