/** `coord audit …` — what auditors run: verify a chain, replay a composition, pull one from the topic, write the §7b example. */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EMITTER_SIGNATURES_FILE, type EmitterSignatureLine } from '../../audit/bundle/format.js';
import { readEmitterKeyring, type EmitterKeyring } from '../../audit/emitter-signature.js';
import { currentView, VIEWS, type View } from '../../audit/corrections.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { readJsonl, writeJsonl } from '../../audit/jsonl.js';
import { readAuditEvents } from '../../kafka/reader.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { auditTopic, schemaRegistryEndpoint } from '../../config/endpoints.js';
import { verifyEntries } from '../../audit/verify.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { replayState } from '../../schemas/replay-state.js';
import { UsageError, print, printJson } from '../output.js';
import { LEDGER_USAGE } from './audit-ledger.js';
import { LOG_USAGE } from './audit-log.js';

export const AUDIT_USAGE = `coord audit verify --file <events.jsonl> [--head <composition_id>=<this_hash>…] [--emitter-key <keys.json> [--signatures <signatures.jsonl>]] [--json]
    exit 0 when every composition's chain holds, 1 at the first break (its 0-based line and kind); with
    --emitter-key, every event must also carry a signature of a pinned emitter key (from --signatures,
    default the signatures.jsonl beside the file, as in an export)
coord audit replay --file <events.jsonl> --composition <id> [--view historical|current] [--json]
    the lifecycle state the composition's events lead to, or the first invalid step (exit 1); --view current
    also lists the events corrections supersede, as corrected (the replay itself runs on the recorded events)
coord audit example --out <file.jsonl>
    writes the seed's §7b VRS screening example (9 events) with real hashes
coord audit pull --composition <id> --out <file.jsonl> [--topic t]
    one composition's events, read from the audit topic (decoded through the registry), as JSONL
${LEDGER_USAGE}
${LOG_USAGE}`;

function parseHeads(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const i = v.indexOf('=');
      if (i <= 0) throw new UsageError(`--head expects <composition_id>=<this_hash>, got "${v}"`);
      return [v.slice(0, i), v.slice(i + 1)];
    }),
  );
}

/** signatures.jsonl as a map by event_id (a line that is not a signature line is skipped: its event then has none). */
function readSignatureLines(file: string): Map<string, EmitterSignatureLine> {
  const byEvent = new Map<string, EmitterSignatureLine>();
  for (const entry of readJsonl(file)) {
    const line = 'value' in entry ? (entry.value as Partial<EmitterSignatureLine> | null) : null;
    if (typeof line?.event_id === 'string') byEvent.set(line.event_id, line as EmitterSignatureLine);
  }
  return byEvent;
}

function verifyCommand(file: string, heads: Record<string, string>, json: boolean, signing: { emitterKey?: string | undefined; signatures?: string | undefined }): number {
  let entries = readJsonl(file);
  let emitters: EmitterKeyring | undefined;
  if (signing.emitterKey) {
    emitters = readEmitterKeyring(signing.emitterKey);
    const signatures = readSignatureLines(signing.signatures ?? join(dirname(file), EMITTER_SIGNATURES_FILE));
    entries = entries.map((e) => {
      const id = 'value' in e ? (e.value as { event_id?: unknown } | null)?.event_id : undefined;
      const line = typeof id === 'string' ? signatures.get(id) : undefined;
      return line?.kid && line.sig ? { ...e, signature: { kid: line.kid, sig: line.sig } } : e;
    });
  }
  const result = verifyEntries(entries, { heads, ...(emitters ? { emitters } : {}) });
  if (json) {
    const { ok, events, compositions, first_break, duplicates } = result;
    printJson({ ok, events, compositions, first_break, duplicates });
  } else if (result.ok) {
    print(`ok: ${result.events} events, ${result.compositions} composition(s), every chain holds${result.duplicates ? ` (${result.duplicates} identical duplicate(s) ignored)` : ''}`);
  } else {
    const b = result.first_break!;
    print(`BROKEN at line ${b.index} (${b.event_id ?? 'no event id'}): ${b.kind} — ${b.detail}`);
  }
  return result.ok ? 0 : 1;
}

function replayCommand(file: string, compositionId: string, json: boolean, view: View): number {
  const events = readJsonl(file)
    .flatMap((e) => ('value' in e ? [e.value as AuditEvent] : []))
    .filter((e) => e?.composition_id === compositionId);
  const result = replayState(events);
  const out = {
    composition_id: compositionId,
    state: result.state,
    events: result.events,
    valid: result.valid,
    ...(result.valid ? {} : { invalid_step: result.invalid }),
    // corrections change no state: the current view only shows what the corrected events now read
    ...(view === 'current' ? { view, corrected: currentView(events).filter((e) => e.superseded_by) } : {}),
  };
  if (json) printJson(out);
  else if (result.valid) print(`${compositionId}: ${result.state} after ${result.events} events (valid path)`);
  else print(`${compositionId}: INVALID at step ${result.invalid.index} (${result.invalid.event_id}): ${result.invalid.code} — ${result.invalid.message}; state stayed ${result.state}`);
  if (!json) for (const e of out.corrected ?? []) print(`  ${e.event_id} corrected by ${e.superseded_by} (${e.correction_reason}): payload now ${JSON.stringify(e.payload)}`);
  return result.valid && events.length > 0 ? 0 : 1;
}

export async function auditCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'status' || verb === 'events' || verb === 'quarantine' || verb === 'export' || verb === 'verify-bundle') {
    const { ledgerCommand } = await import('./audit-ledger.js');
    return (await ledgerCommand(verb, rest))!;
  }
  if (verb === 'log') return (await import('./audit-log.js')).logCommand(rest);
  const { values } = parseArgs({
    args: rest,
    options: {
      file: { type: 'string' },
      out: { type: 'string' },
      composition: { type: 'string' },
      head: { type: 'string', multiple: true, default: [] },
      topic: { type: 'string', default: auditTopic() },
      json: { type: 'boolean', default: false },
      'emitter-key': { type: 'string' },
      signatures: { type: 'string' },
      view: { type: 'string', default: 'historical' },
    },
  });
  switch (verb) {
    case 'verify':
      if (!values.file) throw new UsageError('coord audit verify --file <events.jsonl>');
      return verifyCommand(values.file, parseHeads(values.head), values.json, { emitterKey: values['emitter-key'], signatures: values.signatures });
    case 'replay':
      if (!values.file || !values.composition) throw new UsageError('coord audit replay --file <events.jsonl> --composition <id>');
      if (!(VIEWS as readonly string[]).includes(values.view)) throw new UsageError(`--view: one of ${VIEWS.join(', ')}`);
      return replayCommand(values.file, values.composition, values.json, values.view as View);
    case 'example': {
      if (!values.out) throw new UsageError('coord audit example --out <file.jsonl>');
      const events = buildVrsExample();
      writeJsonl(values.out, events);
      print(`wrote ${events.length} events of ${events[0]!.composition_id} to ${values.out}`);
      return 0;
    }
    case 'pull': {
      if (!values.composition || !values.out) throw new UsageError('coord audit pull --composition <id> --out <file.jsonl>');
      const topic = values.topic;
      const events = await readAuditEvents({ topic, serializer: new AuditSerializer(schemaRegistryEndpoint().address, topic), compositionId: values.composition });
      writeJsonl(values.out, events);
      print(`wrote ${events.length} events of ${values.composition} from ${topic} to ${values.out}`);
      return events.length > 0 ? 0 : 1;
    }
    default:
      throw new UsageError(AUDIT_USAGE);
  }
}
