/**
 * The replay pass of the edge worker (full mode; loads the Temporal worker, so it is imported only then):
 * history.json and events.jsonl are read side by side, composition by composition (both are in
 * composition_id order), each composition's runs are replayed through the workflow code, and the audit
 * stream the workflow builds is compared with the exported one, event by event, as canonical JSON.
 */
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { EVENTS_FILE, HISTORY_FILE, type HistoryComposition, type Manifest } from '../../audit/bundle/format.js';
import { historyFromJson, type History } from '../../audit/bundle/history-json.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { AuditReplayer } from '../replay/recompute-audit.js';
import { firstDifference, idOf } from './event-diff.js';
import { arrayElements } from './json-array-stream.js';
import { HashedLines } from './lines.js';
import type { MismatchLog } from './report.js';
import { workflowBundle } from '../workflow-bundle.js';

interface EventGroup {
  compositionId: string;
  lines: string[];
}

/** events.jsonl as runs of consecutive lines of one composition. */
async function* eventGroups(file: string): AsyncGenerator<EventGroup> {
  let group: EventGroup | undefined;
  for await (const line of new HashedLines(file)) {
    if (line === '') continue;
    let id: unknown;
    try {
      id = (JSON.parse(line) as { composition_id?: unknown }).composition_id;
    } catch {
      id = undefined; // an unreadable line stays with its neighbours; the events pass names it
    }
    const compositionId = typeof id === 'string' ? id : (group?.compositionId ?? '(unknown)');
    if (group && group.compositionId === compositionId) group.lines.push(line);
    else {
      if (group) yield group;
      group = { compositionId, lines: [line] };
    }
  }
  if (group) yield group;
}

type ParsedComposition = { ok: true; value: HistoryComposition; runs: History[] } | { ok: false; compositionId: string | null; reason: string };

function parseComposition(text: string): ParsedComposition {
  let value: Partial<HistoryComposition>;
  try {
    value = JSON.parse(text) as Partial<HistoryComposition>;
  } catch (err) {
    return { ok: false, compositionId: null, reason: `an entry of history.json is not JSON: ${(err as Error).message}` };
  }
  const compositionId = typeof value.composition_id === 'string' ? value.composition_id : null;
  if (!compositionId || typeof value.workflow_id !== 'string' || !Array.isArray(value.runs)) {
    return { ok: false, compositionId, reason: 'an entry of history.json needs composition_id, workflow_id and runs' };
  }
  try {
    return { ok: true, value: value as HistoryComposition, runs: value.runs.map((run) => historyFromJson(run)) };
  } catch (err) {
    return { ok: false, compositionId, reason: `a run of ${compositionId} is not a Temporal history: ${(err as Error).message}` };
  }
}

export interface HistoryPassResult {
  /** compositions replayed */
  compositions: number;
  /** runs in history.json */
  runs: number;
  /** runs replayed (a composition stops at its first run that does not replay) */
  runs_replayed: number;
}

export async function replayHistories(dir: string, manifest: Manifest | null, log: MismatchLog): Promise<HistoryPassResult> {
  const bundle = await workflowBundle();
  let replayer = new AuditReplayer({ workflowBundle: bundle });
  const histories = arrayElements(join(dir, HISTORY_FILE), 'compositions')[Symbol.asyncIterator]();
  const groups = eventGroups(join(dir, EVENTS_FILE))[Symbol.asyncIterator]();
  const result = { compositions: 0, runs: 0, runs_replayed: 0 };
  let previous: string | undefined;

  const nextHistory = async (): Promise<ParsedComposition | undefined> => {
    const next = await histories.next();
    if (next.done) return undefined;
    const parsed = parseComposition(next.value);
    if (parsed.ok && previous !== undefined && !(parsed.value.composition_id > previous)) {
      return { ok: false, compositionId: parsed.value.composition_id, reason: `history.json lists ${parsed.value.composition_id} after ${previous}: compositions must be in composition_id order` };
    }
    if (parsed.ok) {
      previous = parsed.value.composition_id;
      result.runs += parsed.runs.length;
    }
    return parsed;
  };

  /** Replays every run; the events built up to the first run that does not replay. */
  const replayRuns = async (c: HistoryComposition, runs: History[], exported: readonly string[]): Promise<AuditEvent[] | undefined> => {
    const built: AuditEvent[] = [];
    for (const [i, run] of runs.entries()) {
      result.runs_replayed += 1;
      let replay;
      try {
        replay = await replayer.replay(run, c.workflow_id);
      } catch (err) {
        await replayer.close().catch(() => undefined);
        replayer = new AuditReplayer({ workflowBundle: bundle });
        replay = { events: [], error: err as Error };
      }
      built.push(...replay.events);
      if (replay.error) {
        const next = exported[built.length];
        const eventId = next === undefined ? null : idOf(next);
        const kind = replay.error instanceof DeterminismViolationError || replay.error.name === 'DeterminismViolationError' ? 'nondeterminism' : 'replay_failed';
        log.add({ composition_id: c.composition_id, event_id: eventId, kind, detail: `run ${i + 1} of ${runs.length} does not replay after ${built.length} event(s): ${replay.error.message}` });
        return undefined;
      }
    }
    return built;
  };

  try {
    let h = await nextHistory();
    let g = (await groups.next()).value as EventGroup | undefined;
    while (h || g) {
      if (h && !h.ok) {
        log.add({ composition_id: h.compositionId, event_id: null, kind: 'history_invalid', detail: h.reason });
        if (g && h.compositionId === g.compositionId) g = (await groups.next()).value as EventGroup | undefined;
        h = await nextHistory();
        continue;
      }
      const hId = h?.value.composition_id;
      if (g && (hId === undefined || g.compositionId < hId)) {
        log.add({ composition_id: g.compositionId, event_id: null, kind: 'history_missing', detail: `history.json has no history of ${g.compositionId}; its ${g.lines.length} event(s) cannot be replayed` });
        g = (await groups.next()).value as EventGroup | undefined;
        continue;
      }
      // A composition with a history but no exported events is replayed too: what it builds is missing.
      const c = h!;
      const matched = g !== undefined && g.compositionId === hId;
      const exported = matched ? g!.lines : [];
      result.compositions += 1;
      const built = await replayRuns(c.value, c.runs, exported);
      const difference = built && firstDifference(c.value.composition_id, built, exported);
      if (difference) log.add(difference);
      if (matched) g = (await groups.next()).value as EventGroup | undefined;
      h = await nextHistory();
    }
  } finally {
    await replayer.close();
  }
  if (manifest && manifest.counts.runs !== result.runs) {
    log.add({ composition_id: null, event_id: null, kind: 'count_mismatch', detail: `history.json holds ${result.runs} run(s), the manifest counts ${manifest.counts.runs}` });
  }
  return result;
}
