/**
 * Deterministic event ids: `evt_<composition id without "cmp_">_<sequence, at least 3 digits>`, as in the
 * seed (evt_01HZQ4XY2N7K8R3V5W6P9T2QSL_001). The id alone says which composition and which position.
 */

function compositionPart(compositionId: string): string {
  return compositionId.startsWith('cmp_') ? compositionId.slice(4) : compositionId;
}

export function eventIdFor(compositionId: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  return `evt_${compositionPart(compositionId)}_${String(sequence).padStart(3, '0')}`;
}

/** The sequence an event id encodes for a composition, or undefined when the id belongs elsewhere. */
export function sequenceOf(eventId: string, compositionId: string): number | undefined {
  const prefix = `evt_${compositionPart(compositionId)}_`;
  if (!eventId.startsWith(prefix)) return undefined;
  const digits = eventId.slice(prefix.length);
  if (!/^[0-9]{3,}$/.test(digits)) return undefined;
  const sequence = Number(digits);
  return sequence >= 1 && eventIdFor(compositionId, sequence) === eventId ? sequence : undefined;
}
