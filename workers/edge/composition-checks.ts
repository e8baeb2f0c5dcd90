/**
 * The invariants an edge node checks on each composition, one event at a time: the declared lifecycle
 * replays to a terminal state by a valid path, the event that closed (or cancelled) it was a human's, and
 * every event a caller caused carries the ABAC decision that let it happen. Events the ledger records on its
 * own — a lease timer firing, a refusal before any decision was asked for — have no caller to decide on.
 */
import type { AuditEvent } from '../../schemas/catalog.js';
import { definitionOf } from '../../schemas/catalog.js';
import { isTerminal, type LifecycleState } from '../../schemas/lifecycle.js';
import { LifecycleReplay } from '../../schemas/replay-state.js';
import type { Mismatch } from './report.js';

export class CompositionChecks {
  private readonly replay = new LifecycleReplay();
  private state: LifecycleState = 'none';
  private closing: AuditEvent | undefined;
  private last: AuditEvent | undefined;
  private readonly problems: Mismatch[] = [];

  constructor(private readonly compositionId: string) {}

  push(event: AuditEvent): void {
    this.last = event;
    const def = definitionOf(event.schema_id);
    if (def?.authority === 'caller' && !event.abac_decision?.uds_eval_id) {
      this.problems.push(this.at(event.event_id, 'abac_decision_missing', `${event.schema_id} was caused by ${event.actor.id} but records no ABAC decision`));
    }
    if (this.replay.push(event)) return;
    const { state } = this.replay.result();
    if (isTerminal(state) && !isTerminal(this.state)) this.closing = event;
    this.state = state;
  }

  /** The final state and every invariant that does not hold. */
  finish(): { state: LifecycleState; problems: Mismatch[] } {
    const result = this.replay.result();
    const problems = [...this.problems];
    if (!result.valid) {
      const step = result.invalid;
      problems.push(this.at(step.event_id, 'lifecycle_invalid', `step ${step.index} (${step.schema_id}): ${step.code} — ${step.message}`));
    } else if (!isTerminal(result.state)) {
      problems.push(this.at(this.last?.event_id ?? null, 'not_terminal', `the composition ends in state "${result.state}", not in a terminal state`));
    } else if (this.closing && this.closing.actor.type !== 'human') {
      problems.push(this.at(this.closing.event_id, 'closing_actor_not_human', `${this.closing.schema_id} was emitted by ${this.closing.actor.type} ${this.closing.actor.id}, not by a human`));
    }
    return { state: result.state, problems };
  }

  private at(eventId: string | null, kind: Mismatch['kind'], detail: string): Mismatch {
    return { composition_id: this.compositionId, event_id: eventId, kind, detail };
  }
}
