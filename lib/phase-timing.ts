/**
 * Where a transition's time goes inside the worker: each side effect's duration, by phase. The worker wires
 * a recorder that writes them to its Prometheus endpoint as the histogram `coord_phase_duration_ms{phase}`
 * (bench/lifecycle reads it); without one, nothing is recorded.
 */

/**
 * jwt_verify, pdp_decide: the activities' work; audit_encode, audit_produce: the two halves of a publish;
 * lost_attempt_probe: the fast path's check for a lost workflow task before a publish.
 */
export const PHASES = ['jwt_verify', 'pdp_decide', 'audit_encode', 'audit_produce', 'lost_attempt_probe'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_HISTOGRAM = 'coord_phase_duration_ms';

export interface PhaseRecorder {
  record(phase: Phase, ms: number): void;
}

export const NO_PHASE_RECORDER: PhaseRecorder = { record: () => undefined };

/** Runs `fn` and records its duration under `phase`, whether it succeeds or fails. */
export async function timed<T>(recorder: PhaseRecorder, phase: Phase, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    recorder.record(phase, performance.now() - t0);
  }
}
