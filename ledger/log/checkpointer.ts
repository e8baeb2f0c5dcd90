/**
 * Issues signed checkpoints of the log: a new one once `everyEvents` leaves were appended since the last,
 * or once `everyMs` passed since it while the log grew. A checkpoint is a C2SP tlog-checkpoint body (origin,
 * size, root) signed as a C2SP signed note with the log key; Ed25519 is deterministic, so two ledger
 * processes sharing a store sign the same bytes for the same size.
 */
import { formatCheckpoint } from '../../audit/tlog/checkpoint.js';
import { root } from '../../audit/tlog/merkle.js';
import { signNote } from '../../audit/tlog/note.js';
import { hex } from './append.js';
import type { LogKey } from './log-key.js';
import type { CheckpointRow, LogStore } from './rows.js';

export interface CheckpointPolicy {
  everyEvents: number;
  everyMs: number;
}

export class Checkpointer {
  constructor(
    private readonly log: LogStore,
    private readonly key: LogKey,
    private readonly origin: string,
    private readonly policy: CheckpointPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs and stores a checkpoint of the current size when the policy (or `force`) says so; returns the latest. */
  async maybeCheckpoint(force = false): Promise<CheckpointRow | undefined> {
    const [size, latest] = await Promise.all([this.log.size(), this.log.checkpoint()]);
    const grown = size - (latest?.tree_size ?? 0);
    if (size === 0 || (grown <= 0 && latest)) return latest; // an empty log has nothing to commit to
    const due = force || !latest || grown >= this.policy.everyEvents || this.now() - latest.created_ms >= this.policy.everyMs;
    if (!due) return latest;
    const rootHash = await root(this.log, size);
    const body = formatCheckpoint({ origin: this.origin, size, root: rootHash, extensions: [] });
    await this.log.addCheckpoint({ tree_size: size, root: hex(rootHash), note: signNote(body, this.key.signer), created_ms: this.now() });
    return this.log.checkpoint(size);
  }
}
