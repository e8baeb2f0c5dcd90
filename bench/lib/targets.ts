/**
 * What the benchmarks should show (issue 14): each figure with its bound. bench/lifecycle and bench/run-all
 * report every figure next to its target and whether it is met, so a run says by itself where it stands.
 */

export interface Target {
  /** `min`: the figure must be at least `bound`; `max`: at most */
  kind: 'min' | 'max';
  bound: number;
}

export const TARGETS = {
  /** audited compositions/s ÷ bare compositions/s */
  audited_to_bare: { kind: 'min', bound: 0.8 },
  /** billable Temporal actions per composition, audited ÷ bare */
  billable_actions_audited_to_bare: { kind: 'max', bound: 1.3 },
  /** transition latency p99, audited ÷ bare */
  p99_audited_to_bare: { kind: 'max', bound: 1.5 },
  /** audited compositions/s ÷ the Restate peer's (below 1: the README says why) */
  audited_to_restate: { kind: 'min', bound: 1.0 },
  /** chain verification ÷ native SHA-256 over the same events */
  verify_to_native_sha256: { kind: 'min', bound: 0.5 },
  /** edge replay, events only, 10,000 compositions */
  edge_events_only_compositions_per_s: { kind: 'min', bound: 5000 },
  edge_events_only_peak_rss_mb: { kind: 'max', bound: 100 },
  /** edge replay through the workflow code */
  edge_full_compositions_per_s: { kind: 'min', bound: 100 },
  edge_full_peak_rss_mb: { kind: 'max', bound: 200 },
  /** the worker's VmHWM over a whole lifecycle run */
  worker_peak_rss_mb: { kind: 'max', bound: 300 },
} as const satisfies Record<string, Target>;

export type TargetName = keyof typeof TARGETS;

export interface Judged {
  value: number | null;
  /** e.g. "≥ 0.8" */
  target: string;
  /** null when the figure is missing */
  met: boolean | null;
}

/** `value` against the target `name` (a missing or non-finite value is judged null). */
export function judge(name: TargetName, value: unknown): Judged {
  const { kind, bound } = TARGETS[name];
  const target = `${kind === 'min' ? '≥' : '≤'} ${bound}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return { value: null, target, met: null };
  return { value, target, met: kind === 'min' ? value >= bound : value <= bound };
}
