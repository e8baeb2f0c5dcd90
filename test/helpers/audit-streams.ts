/** Streams of audit events for verification tests: the §7b example, several compositions interleaved. */
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { computeThisHash } from '../../audit/chain.js';
import type { AuditEvent } from '../../schemas/catalog.js';

export const CMP_A = 'cmp_01HZQ4XY2N7K8R3V5W6P9T2QSL';
export const CMP_B = 'cmp_01J0000000000000000000000B';

/** Two compositions' chains, interleaved event by event (A1 B1 A2 B2 …). */
export function interleavedStream(): AuditEvent[] {
  const a = buildVrsExample(CMP_A);
  const b = buildVrsExample(CMP_B);
  return a.flatMap((e, i) => [e, b[i]!]);
}

/** Recomputes this_hash after an edit: what a forger who knows the scheme would do. */
export function rehash<T extends Record<string, unknown>>(event: T): T {
  return { ...event, this_hash: computeThisHash(event) };
}

export const clone = <T>(value: T): T => structuredClone(value);
