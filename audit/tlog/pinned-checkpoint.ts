/**
 * A checkpoint note opened against pinned keys: which pinned log keys signed it, which pinned witnesses did
 * not cosign it, and its size and root. One place for what the edge worker (an export's checkpoint.txt) and
 * a federation receiver (a slice's checkpoint) both check; each decides what a missing cosignature means.
 */
import { parseCheckpoint } from './checkpoint.js';
import { cosignatureVerifier } from './cosignature.js';
import { openNote } from './note.js';
import { noteVerifier } from './note-keys.js';

export type PinnedCheckpoint =
  | { ok: true; size: number; root: Uint8Array; origin: string; logSigners: string[]; missingWitnesses: string[] }
  /** `unsigned`: no pinned log key signed it; `malformed`: the note or its checkpoint does not parse */
  | { ok: false; reason: 'unsigned' | 'malformed'; detail: string; missingWitnesses: string[] };

/** Never throws on a bad note (a malformed pinned key does: that is the caller's configuration). */
export function openPinnedCheckpoint(note: string | Uint8Array, logKeys: readonly string[], witnessKeys: readonly string[]): PinnedCheckpoint {
  const logVerifiers = logKeys.map((k) => noteVerifier(k));
  const witnessVerifiers = witnessKeys.map((k) => cosignatureVerifier(k));
  let missingWitnesses: string[] = [];
  try {
    const opened = openNote(note, [...logVerifiers, ...witnessVerifiers]);
    const signedBy = new Set(opened.signatures.map((sig) => `${sig.name}+${sig.keyId}`));
    const logSigners = logVerifiers.filter((v) => signedBy.has(`${v.name}+${v.keyId}`)).map((v) => v.name);
    if (logSigners.length === 0) return { ok: false, reason: 'unsigned', detail: 'not signed by a pinned log key', missingWitnesses };
    missingWitnesses = witnessVerifiers.filter((v) => !signedBy.has(`${v.name}+${v.keyId}`)).map((v) => v.name);
    const { origin, size, root } = parseCheckpoint(opened.text);
    return { ok: true, size, root, origin, logSigners, missingWitnesses };
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: (err as Error).message, missingWitnesses };
  }
}
