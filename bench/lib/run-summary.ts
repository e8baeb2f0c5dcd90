/**
 * The summary `npm run bench` puts at the top of its report (bench/run-all.ts): the figures issue 14 asks
 * about, read defensively from each benchmark's own report (a missing benchmark or field gives null), and
 * each against its target (bench/lib/targets.ts).
 */
import { judge } from './targets.js';

export type Report = Record<string, unknown>;

/** The value at `path` inside `report`, or undefined. */
export const pick = (report: Report | undefined, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), report);

/** As `pick`, with null for a missing value: every summary field is present, null when it could not be read. */
const get = (report: Report | undefined, ...path: string[]): unknown => pick(report, ...path) ?? null;

const ratio = (a: unknown, b: unknown): number | null => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Number((a / b).toFixed(3)) : null);

/** The first of several fields that is a number (a benchmark's field may have been renamed). */
const firstNumber = (report: Report | undefined, ...paths: string[][]): number | null => {
  for (const path of paths) {
    const v = pick(report, ...path);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
};

export function benchSummary(benchmarks: Record<string, Report | undefined>) {
  const { lifecycle, append, verify, edge } = benchmarks;
  const latency = (variant: string) => Object.fromEntries(['p50_ms', 'p95_ms', 'p99_ms'].map((p) => [p, get(lifecycle, variant, 'transition_latency_ms', p)]));
  // chain verification against native SHA-256 over the same bytes (bench/verify.ts)
  // (`verify_to_sha256_ratio` is against the pure-JS hash: another measure, never taken for this one)
  const verifyToNative = firstNumber(verify, ['verify_to_native_sha256_ratio']);
  const actions = { audited: get(lifecycle, 'audited', 'temporal_actions_per_composition'), bare: get(lifecycle, 'baseline', 'temporal_actions_per_composition') };
  const workerPeak = get(lifecycle, 'worker_peak_rss_mb');
  const edgeFigures = {
    events_only_compositions: get(edge, 'events_only', 'compositions'),
    events_only_compositions_per_s: get(edge, 'events_only', 'compositions_per_s'),
    events_only_peak_rss_mb: get(edge, 'events_only', 'peak_rss_mb'),
    full_compositions_per_s: get(edge, 'full', 'compositions_per_s'),
    full_peak_rss_mb: get(edge, 'full', 'peak_rss_mb'),
  };
  return {
    audited_compositions_per_s: get(lifecycle, 'audited', 'compositions_per_s'),
    bare_compositions_per_s: get(lifecycle, 'baseline', 'compositions_per_s'),
    restate_compositions_per_s: get(lifecycle, 'restate', 'compositions_per_s'),
    ratio_audited_to_bare: get(lifecycle, 'ratio_audited_to_bare'),
    ratio_audited_to_restate: ratio(get(lifecycle, 'audited', 'compositions_per_s'), get(lifecycle, 'restate', 'compositions_per_s')),
    transition_latency_ms: { audited: latency('audited'), bare: latency('baseline'), restate: latency('restate') },
    transition_p99_ms: get(lifecycle, 'transition_p99_ms', 'audited'),
    ratio_p99_audited_to_bare: ratio(get(lifecycle, 'transition_p99_ms', 'audited'), get(lifecycle, 'transition_p99_ms', 'baseline')),
    billable_actions_per_composition: actions,
    ratio_billable_actions_audited_to_bare: ratio(actions.audited, actions.bare),
    worker_peak_rss_mb: workerPeak,
    restate_peak_rss_mb: get(lifecycle, 'restate', 'peak_rss_mb'),
    append_events_per_s: get(append, 'best', 'events_per_s'),
    append_p99_ack_ms: get(append, 'best', 'p99_ack_ms'),
    verify_events_per_s: get(verify, 'verify_events_per_s'),
    verify_to_native_sha256_ratio: verifyToNative,
    edge: edgeFigures,
    append_signed_events_per_s: get(benchmarks.append_signed, 'best', 'events_per_s'),
    ratio_signed_to_unsigned_append: ratio(get(benchmarks.append_signed, 'best', 'events_per_s'), get(append, 'best', 'events_per_s')),
    tlog_appends_per_s: get(benchmarks.tlog, 'appends_per_s'),
    tlog_inclusion_proof_p99_ms: get(benchmarks.tlog, 'inclusion_proof_ms', 'p99_ms'),
    tlog_inclusion_verifications_per_s: get(benchmarks.tlog, 'inclusion_verifications_per_s'),
    // each issue-14 figure against its target (bench/lib/targets.ts); met: null when the figure is missing
    targets: {
      audited_to_bare: judge('audited_to_bare', get(lifecycle, 'ratio_audited_to_bare')),
      billable_actions_audited_to_bare: judge('billable_actions_audited_to_bare', ratio(actions.audited, actions.bare)),
      p99_audited_to_bare: judge('p99_audited_to_bare', ratio(get(lifecycle, 'transition_p99_ms', 'audited'), get(lifecycle, 'transition_p99_ms', 'baseline'))),
      audited_to_restate: judge('audited_to_restate', ratio(get(lifecycle, 'audited', 'compositions_per_s'), get(lifecycle, 'restate', 'compositions_per_s'))),
      verify_to_native_sha256: judge('verify_to_native_sha256', verifyToNative),
      edge_events_only_compositions_per_s: judge('edge_events_only_compositions_per_s', edgeFigures.events_only_compositions_per_s),
      edge_events_only_peak_rss_mb: judge('edge_events_only_peak_rss_mb', edgeFigures.events_only_peak_rss_mb),
      edge_full_compositions_per_s: judge('edge_full_compositions_per_s', edgeFigures.full_compositions_per_s),
      edge_full_peak_rss_mb: judge('edge_full_peak_rss_mb', edgeFigures.full_peak_rss_mb),
      worker_peak_rss_mb: judge('worker_peak_rss_mb', workerPeak),
    },
  };
}
