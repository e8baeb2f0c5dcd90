/** `coord witness` — another organisation's witness of the ledger's transparency log; `coord witness key` prints its key. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { noteVerifier } from '../../audit/tlog/note-keys.js';
import { config } from '../../config/index.js';
import { DATA_DIR } from '../../config/paths.js';
import { assertOrgName, loadWitnessKey, witnessDir } from '../../witness/keys.js';
import { createWitnessLogger } from '../../witness/logger.js';
import { lockState } from '../../witness/state.js';
import { EXIT_CODES, Witness, type StepOutcome } from '../../witness/witness.js';
import { UsageError, print } from '../output.js';

export const WITNESS_USAGE = `coord witness --org <name> [--ledger <url>] [--log-key <vkey|file>] [--origin <origin>] [--key <file>] [--state <file>] [--interval <seconds>] [--once] [--json]
    a witness of the ledger's transparency log, run by another organisation: every --interval seconds
    (default 2) fetch the latest checkpoint, check the log's signature (--log-key, pinned), the origin
    (--origin; default: the first one seen, then kept) and, by a consistency proof, that the tree extends
    the last one this witness cosigned; then cosign it and post the cosignature. Anything else is a signed
    refusal (bad_signature, wrong_origin, rollback, inconsistent, malformed), posted to the ledger and kept.
    Runs until SIGINT/SIGTERM (exit 0); --once: one step, exit 0 cosigned or nothing new, 1 refused,
    2 ledger unreachable or the cosignature rejected. --json: each step's outcome as one JSON line.
    Defaults: the ledger at http://<COORD_LEDGER_METRICS_ADDRESS>, the log key in .data/log/log.vkey, the
    key (created on first use) and the state in .data/witness/<org>/; a --key file must exist
coord witness key --org <name> [--key <file>]
    print the witness's verifier key (cosignature/v1, type 0x04) for the ledger operator to pin; creates the
    dev key .data/witness/<org>/witness.key if needed`;

function orgOf(org: string | undefined): string {
  if (!org) throw new UsageError(WITNESS_USAGE);
  try {
    assertOrgName(org);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return org;
}

/** The log's vkey: given as text, or the file holding it (default: the dev ledger's .data/log/log.vkey). */
function resolveLogKey(arg: string | undefined): string {
  if (arg) {
    try {
      noteVerifier(arg);
      return arg;
    } catch {
      if (!existsSync(arg)) throw new UsageError(`--log-key: neither a log vkey (<name>+<hex id>+<base64 key>) nor a file: ${arg}`);
    }
  }
  const file = arg ?? join(DATA_DIR, 'log', 'log.vkey');
  if (!existsSync(file)) throw new UsageError(`no log key: pass --log-key <vkey|file> (the ledger writes its vkey to ${file} when it starts)`);
  const vkey = readFileSync(file, 'utf8').trim();
  try {
    noteVerifier(vkey);
  } catch (err) {
    throw new UsageError(`${file}: not a log vkey (${(err as Error).message})`);
  }
  return vkey;
}

function describe(o: StepOutcome): string {
  switch (o.outcome) {
    case 'cosigned':
      return `cosigned ${o.origin} size ${o.size} root ${o.root}${o.resent ? ' (re-sent)' : ''}${o.witnessed === false ? ' — the ledger does not count it as witnessed' : ''}`;
    case 'unchanged':
      return `unchanged: ${o.origin} size ${o.size}, already cosigned`;
    case 'no_checkpoint':
      return 'the ledger has no checkpoint yet';
    case 'refused':
      return `REFUSED ${o.reason} (size ${o.old_size} → ${o.new_size}): ${o.detail}${o.delivered ? '' : ' [not yet delivered to the ledger]'}`;
    case 'unreachable':
      return `ledger unreachable: ${o.detail}`;
    case 'rejected':
      return `the ledger rejected the cosignature of size ${o.size} (HTTP ${o.status}): ${o.detail}`;
  }
}

async function keyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, key: { type: 'string' } } });
  print(loadWitnessKey({ org: orgOf(values.org), keyFile: values.key }).verifierKey);
  return 0;
}

export async function witnessCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'key') return keyCommand(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      ledger: { type: 'string' },
      'log-key': { type: 'string' },
      origin: { type: 'string' },
      key: { type: 'string' },
      state: { type: 'string' },
      interval: { type: 'string', default: '2' },
      once: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const org = orgOf(values.org);
  const interval = Number(values.interval);
  if (!Number.isFinite(interval) || interval <= 0) throw new UsageError(`--interval: a positive number of seconds, got ${values.interval}`);
  const key = loadWitnessKey({ org, keyFile: values.key });
  const logKey = resolveLogKey(values['log-key']);
  const stateFile = values.state ?? join(witnessDir(org), 'state.json');
  const release = lockState(stateFile);
  const witness = new Witness({
    ledger: values.ledger ?? `http://${config().COORD_LEDGER_METRICS_ADDRESS}`,
    logKey,
    origin: values.origin,
    key,
    stateFile,
    logger: createWitnessLogger(org),
  });

  let previous = '';
  const report = (o: StepOutcome) => {
    if (values.json) return print(JSON.stringify({ time: new Date().toISOString(), ...o }));
    const line = describe(o);
    if (line !== previous) print(line);
    previous = line;
  };

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (values.once) {
      const outcome = await witness.step();
      report(outcome);
      return EXIT_CODES[outcome.outcome];
    }
    while (!stop.signal.aborted) {
      report(await witness.step());
      await sleep(interval * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    release();
  }
}
