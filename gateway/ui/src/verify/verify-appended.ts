/**
 * A live event (the page's SSE stream) judged before any checkpoint covers it: its line as canonical JSON
 * of a catalog event with its own hash, its link to the event the page showed before it in the same
 * composition, and its emitter signature against the pinned keys. Inclusion is `not_yet_covered` by
 * definition; the next export (or checkpoint) proves it.
 */
import { linkFinding, type LinkPrevious } from './chain.js';
import { checkEventLine, type Finding } from './event-line.js';
import { prepareTrust } from './trust.js';
import type { EventVerdict, PageTrust, SignatureStatus } from './types.js';

export interface AppendedSignature {
  kid?: string | null;
  sig?: string | null;
}

/**
 * `previous`: the composition's event shown before this one (null: this one must open the composition).
 * `index`: where the page shows it (its own numbering; -1 when it has none).
 */
export async function verifyAppended(previous: LinkPrevious | null, line: string, signature: AppendedSignature | null | undefined, trust: PageTrust = {}, index = -1): Promise<EventVerdict> {
  if (typeof line !== 'string') throw new TypeError('verifyAppended takes the event line as a string');
  const { emitters } = await prepareTrust(trust);
  const check = await checkEventLine(line);
  // In a file a blank line is a form problem between events; on the stream it is where an event should be.
  const findings: Finding[] = line === '' ? [{ code: 'malformed_line', kind: 'invalid_event', message: 'an empty line' }] : [...check.findings];

  const kid = typeof signature?.kid === 'string' ? signature.kid : undefined;
  const sig = typeof signature?.sig === 'string' ? signature.sig : undefined;
  let status: SignatureStatus = kid && sig ? 'unknown_key' : 'unsigned';
  if (emitters && check.event) {
    const failure = await emitters.check(check.event.this_hash, { kid, sig });
    status = failure === null ? 'ok' : failure === 'signature_missing' ? 'unsigned' : failure === 'unknown_signer' ? 'unknown_key' : 'bad';
    if (failure === 'signature_missing') findings.push({ code: 'signature_missing', kind: 'emitter_signature_missing', message: 'the event carries no emitter signature (kid and sig)' });
    if (failure === 'unknown_signer') findings.push({ code: 'signature_unknown_key', kind: 'emitter_unknown_signer', message: 'signed by a key that is not a pinned emitter key' });
    if (failure === 'signature_invalid') findings.push({ code: 'signature_invalid', kind: 'emitter_signature_invalid', message: 'the emitter signature does not verify over this_hash' });
  }

  const link = check.event ? linkFinding(previous, check.event) : null;
  if (link) findings.push(link);
  return {
    index,
    event_id: check.found.event_id,
    composition_id: check.found.composition_id,
    schema_id: check.found.schema_id,
    hashOk: check.hashOk,
    linkOk: check.event !== undefined && link === null,
    signature: status,
    inclusion: 'not_yet_covered',
    codes: findings.map((f) => f.code),
    problems: findings.map((f) => `${f.code}: ${f.message}`),
  };
}
