/** `coord audit log …` — the ledger's transparency log, read from the ledger store (the same answers as its HTTP /log/ API). */
import { parseArgs } from 'node:util';
import { loadWitnesses } from '../../ledger/log/log-key.js';
import { LogRequestError, LogService } from '../../ledger/log/log-service.js';
import { withLedgerStore } from '../../ledger/open-store.js';
import { UsageError, print, printJson } from '../output.js';

export const LOG_USAGE = `coord audit log checkpoint [--size n] [--witnessed]
    the latest checkpoint (or of size n, or the newest every witness cosigned) as a C2SP signed note
coord audit log inclusion --event <event_id> [--size n] [--json]
    the event's leaf index and inclusion proof at size n (default: the latest checkpoint)
coord audit log consistency --from m --to n [--json]
    the consistency proof between two tree sizes`;

const size = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(v)) throw new UsageError(`--${name} must be a tree size`);
  return Number(v);
};

export async function logCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      size: { type: 'string' },
      witnessed: { type: 'boolean', default: false },
      event: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  return withLedgerStore(async (store) => {
    const service = new LogService(store, loadWitnesses);
    try {
      switch (verb) {
        case 'checkpoint': {
          const found = values.witnessed ? await service.latestWitnessed() : await service.checkpointNote(size(values.size, 'size'));
          if (!found) throw new LogRequestError(404, 'ERR_NOT_FOUND', 'no such checkpoint yet');
          process.stdout.write(found.note);
          return 0;
        }
        case 'inclusion': {
          if (!values.event) throw new UsageError(LOG_USAGE);
          const answer = await service.inclusion(values.event, size(values.size, 'size'));
          if (values.json) printJson(answer);
          else print(`${answer.event_id}: leaf ${answer.leaf_index} of ${answer.tree_size}\n${answer.proof.join('\n')}`);
          return 0;
        }
        case 'consistency': {
          const answer = await service.consistency(size(values.from, 'from') ?? 0, size(values.to, 'to') ?? 0);
          if (values.json) printJson(answer);
          else print(`${answer.from} → ${answer.to}\n${answer.proof.join('\n')}`);
          return 0;
        }
        default:
          throw new UsageError(LOG_USAGE);
      }
    } catch (err) {
      if (!(err instanceof LogRequestError)) throw err;
      print(`${err.code}: ${err.message}`);
      return 1;
    }
  });
}
