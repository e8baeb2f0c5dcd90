/**
 * An Idempotency-Key belongs to the caller who sent it. Temporal deduplicates by update id (and our signal
 * handler by request id) per workflow, so the raw key would be shared by everyone who acts on a
 * composition: a token-less or forged request could take a key first and the genuine retry would get that
 * refusal back, or anyone could read the first caller's outcome by replaying the key. The gateway therefore
 * hands Temporal SHA-256(namespace of the caller, key) instead of the key.
 *
 * The namespace is the *verified* caller — issuer, delegation chain and actor id — never claims read from an
 * unverified token. Adversarially: were it the unverified iss/sub, an attacker who knows or guesses a
 * victim's key would send a forged token carrying the victim's iss/sub with that key; the workflow would
 * refuse it and record the refusal under the victim's derived key, and the victim's genuine request would
 * then get that refusal back (poisoned), with no way to act under its own key. So the token is verified at
 * the gateway before its claims name anything.
 *
 * A token that does not verify is keyed by a hash of the token itself: a retry with the same bytes gets the
 * same outcome, nobody without those bytes can reach that key, and it can never equal a verified caller's key
 * (the namespaces differ in their first element). A request with no token never gets this far (401).
 */
import { createHash } from 'node:crypto';
import type { Caller } from './caller.js';

const VERSION = 'coord-idempotency-v1';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Who the key belongs to, as a list of strings (JSON-encoded below, so no separator can be smuggled in). */
function namespaceOf(caller: Caller): string[] {
  if (!caller.identity) return ['unverified', sha256(caller.token)];
  const { actor, auth } = caller.identity;
  return ['verified', auth.issuer, actor.type, actor.id, ...auth.delegation_chain];
}

/** The key Temporal sees for `key` sent by `caller`: `idem_<64 hex>`. */
export function boundIdempotencyKey(caller: Caller, key: string): string {
  return `idem_${sha256(JSON.stringify([VERSION, ...namespaceOf(caller), key]))}`;
}

/** The per-subject rate-limit key of a verified caller (issuer and acting party), or undefined. */
export function subjectOf(caller: Caller | undefined): string | undefined {
  if (!caller?.identity) return undefined;
  return `subject:${sha256(JSON.stringify([caller.identity.auth.issuer, caller.identity.auth.subject]))}`;
}
