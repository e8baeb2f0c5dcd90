/**
 * The witness's memory: per log origin, the last checkpoint it cosigned and the refusals it made. A witness
 * that forgets its state would cosign a rolled-back tree, so the file is written atomically (a whole new
 * file renamed over the old one, fsynced), owner-only (0600 in a 0700 folder), and a file that does not
 * parse stops the witness — it never starts afresh over a state it cannot read.
 *
 *   {
 *     "version": 1,
 *     "logs": {
 *       "<origin>": {
 *         "log_key": "<the log's vkey it verified against>",
 *         "cosigned": { "size": n, "root": "<base64>", "body": "<checkpoint body>", "time": t,
 *                       "cosignature": "— <witness> <base64>\n" } | null,
 *         "refusals": [ { "refusal": { …signed refusal body… }, "delivered": bool, "repeats": n, "last_time": t } ]
 *       }
 *     }
 *   }
 *
 * The origin key "" holds refusals made before any origin was pinned (a first checkpoint that could not be
 * trusted); a real origin is never empty.
 */
import { closeSync, fsyncSync, fchmodSync, openSync, readFileSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseCheckpoint } from '../audit/tlog/checkpoint.js';
import { toBase64 } from '../audit/tlog/encoding.js';
import { parseRefusal, type SignedRefusal } from '../audit/tlog/witness-refusal.js';
import { ensurePrivateDir } from '../lib/private-files.js';

/** Refusals kept per origin (the oldest are dropped first). */
export const MAX_REFUSALS = 100;

const size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const cosignedSchema = z.object({
  size,
  root: z.string(),
  body: z.string(),
  time: size,
  cosignature: z.string(),
});

const recordSchema = z.object({
  refusal: z.custom<SignedRefusal>((v) => parseRefusal(v) !== null, 'not a refusal'),
  delivered: z.boolean(),
  repeats: size,
  last_time: size,
});

const logSchema = z.object({
  log_key: z.string(),
  cosigned: cosignedSchema.nullable(),
  refusals: z.array(recordSchema),
});

const stateSchema = z.object({ version: z.literal(1), logs: z.record(z.string(), logSchema) });

export type CosignedCheckpoint = z.infer<typeof cosignedSchema>;
export type RefusalRecord = z.infer<typeof recordSchema>;
export type LogState = z.infer<typeof logSchema>;
export type WitnessState = z.infer<typeof stateSchema>;

export function emptyState(): WitnessState {
  return { version: 1, logs: {} };
}

/** The state in `file`, or an empty one if there is no file; throws if the file is not a witness state. */
export function loadState(file: string): WitnessState {
  if (!existsSync(file)) return emptyState();
  try {
    const parsed = stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    for (const [origin, log] of Object.entries(parsed.logs)) {
      if (!log.cosigned) continue;
      // the recorded size and root must be those of the recorded body: the body is what was signed
      const cp = parseCheckpoint(log.cosigned.body);
      if (cp.origin !== origin || cp.size !== log.cosigned.size || toBase64(cp.root) !== log.cosigned.root) {
        throw new Error(`the checkpoint recorded for ${JSON.stringify(origin)} does not match its origin, size and root`);
      }
    }
    return parsed;
  } catch (err) {
    throw new Error(`${file}: not a witness state file (${(err as Error).message}); refusing to start over it`);
  }
}

/** Writes `state` to `file` atomically: a 0600 temporary file, fsynced, renamed into place, the folder fsynced. */
export function saveState(file: string, state: WitnessState): void {
  const dir = ensurePrivateDir(dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a leftover temporary file keeps its old mode under 'w'
    writeSync(fd, `${JSON.stringify(stateSchema.parse(state), null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** The log entry for `origin`, created (with `logKey`) if absent. */
export function logEntry(state: WitnessState, origin: string, logKey: string): LogState {
  state.logs[origin] ??= { log_key: logKey, cosigned: null, refusals: [] };
  return state.logs[origin];
}

/** The origin recorded for a log key (the pinned origin when none is given), or undefined. */
export function originOfLogKey(state: WitnessState, logKey: string): string | undefined {
  return Object.entries(state.logs).find(([origin, log]) => origin !== '' && log.log_key === logKey)?.[0];
}

const sameRefusal = (a: SignedRefusal, b: SignedRefusal) =>
  a.reason === b.reason && a.origin === b.origin && a.old_size === b.old_size && a.new_size === b.new_size && a.detail === b.detail;

/**
 * Records a refusal: the same refusal as the latest one (same reason, origin, sizes and detail — a ledger
 * still serving the checkpoint it was refused for) only counts a repeat. Returns the record to deliver.
 */
export function recordRefusal(log: LogState, refusal: SignedRefusal): { record: RefusalRecord; repeated: boolean } {
  const last = log.refusals.at(-1);
  if (last && sameRefusal(last.refusal, refusal)) {
    last.repeats += 1;
    last.last_time = refusal.time;
    return { record: last, repeated: true };
  }
  const record: RefusalRecord = { refusal, delivered: false, repeats: 0, last_time: refusal.time };
  log.refusals.push(record);
  if (log.refusals.length > MAX_REFUSALS) log.refusals.splice(0, log.refusals.length - MAX_REFUSALS);
  return { record, repeated: false };
}

/**
 * Holds `${file}.lock` for this process: two witnesses over one state could each cosign what the other's
 * state forbids. A lock left by a process that is gone is taken over. Returns the release function.
 */
export function lockState(file: string): () => void {
  ensurePrivateDir(dirname(file));
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) throw new Error(`another witness (pid ${pid}) holds ${lock}`);
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`could not take ${lock}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
