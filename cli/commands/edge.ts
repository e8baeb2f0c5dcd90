/** `coord edge replay` — the edge lite worker: check an export bundle offline, and replay its history. */
import { parseArgs } from 'node:util';
import { PINNED_KEY_OPTIONS, pinnedKeys } from './pinned-keys.js';
import type { EdgeReport } from '../../workers/edge/report.js';
import { edgeReplay } from '../../workers/edge/replay-bundle.js';
import { keepHeapSmall } from '../../workers/edge/small-heap.js';
import { UsageError, print, printJson } from '../output.js';

export const EDGE_USAGE = `coord edge replay <export dir> [--events-only] [--key <public.jwk> | --hmac-key <secret.jwk>] [--emitter-key <keys.json>]
                 [--log-key <vkey|file>…] [--witness-key <vkey|file>…] [--trust <trust.json>] [--allow-unsigned] [--json]
    offline, no Temporal server: manifest and its signature first (pinned with --key; an unsigned bundle, or
    one whose signer is not pinned, stops here unless --allow-unsigned), file hashes, canonical lines, every
    event's emitter signature (signatures.jsonl, against --emitter-key), the transparency-log checkpoint
    (signed by a --log-key, cosigned by every --witness-key) and each event's inclusion proof in it,
    the chain and the lifecycle invariants of every composition, then (unless --events-only) each
    composition's history replayed through the workflow code and compared event by event; exit 1 on any mismatch`;

/**
 * Temporal's runtime logs at INFO, and its native core writes to stdout on its own: a replay that finds a
 * nondeterminism (which the report names) would corrupt `--json`. Core logs are forwarded to the logger
 * (stderr), errors only.
 */
async function quietTemporalRuntime(): Promise<void> {
  const { DefaultLogger, Runtime } = await import('@temporalio/worker');
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    /* a runtime was installed already */
  }
}

function printText(report: EdgeReport): void {
  const s = report.signature;
  const signed = !s.present ? 'not signed' : s.ok ? `signed by ${s.thumbprint}${s.pinned ? ' (pinned key)' : ' (key carried by the bundle, not pinned)'}` : 'signature does NOT hold';
  const replayed = report.runs_replayed !== undefined ? `, ${report.runs_replayed} run(s) replayed` : ' (events only)';
  if (report.ok) {
    print(`ok: ${report.compositions} composition(s), ${report.events} event(s)${replayed}; ${signed}`);
    return;
  }
  print(`FAILED: ${report.mismatches_total} mismatch(es); ${report.compositions} composition(s), ${report.events} event(s)${replayed}; ${signed}`);
  for (const m of report.mismatches) {
    const where = [m.composition_id, m.event_id, m.line !== undefined ? `line ${m.line}` : undefined].filter(Boolean).join(' ');
    print(`  ${m.kind}${where ? ` [${where}]` : ''}: ${m.detail}`);
  }
}

export async function edgeCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== 'replay') throw new UsageError(EDGE_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'events-only': { type: 'boolean', default: false },
      ...PINNED_KEY_OPTIONS,
      'allow-unsigned': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) throw new UsageError(EDGE_USAGE);
  const keys = pinnedKeys(values);
  const eventsOnly = values['events-only'];
  const stopHeapKeeping = eventsOnly ? keepHeapSmall() : () => undefined;
  const report = await edgeReplay(dir, { ...keys, eventsOnly, beforeHistoryPass: quietTemporalRuntime, allowUnsigned: values['allow-unsigned'] }).finally(stopHeapKeeping);
  if (values.json) printJson(report);
  else printText(report);
  return report.ok ? 0 : 1;
}
