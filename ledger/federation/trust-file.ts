/**
 * A partner's trust file (read by its receiving node: workers/federation/trust.ts), written from our public
 * keys: the slice-signing key (the export signing key), the emitter keys the ledger pins, the transparency
 * log's verifier key, every witness whose cosignature makes a checkpoint witnessed, the fingerprint of every
 * schema this build may send, and the partner's own issuers as our federation policy names them. Public
 * material only: the operator hands it to the partner, who checks it out of band and pins it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import type { FederationPolicy } from './policy.js';

export interface PartnerTrustFile {
  sender: string;
  partner: string;
  slice_key: JWK;
  emitter_keys: JWK[];
  log_keys: string[];
  witness_keys: string[];
  schema_fingerprints: Record<string, string[]>;
  own_issuers: string[];
}

/** Our public keys, as the trust file states them. */
export interface SenderKeys {
  sliceKey: JWK;
  emitterKeys: readonly unknown[];
  logKeys: readonly string[];
  witnessKeys: readonly string[];
  schemaFingerprints: Readonly<Record<string, readonly string[]>>;
}

export class TrustFileRefused extends Error {
  readonly code = 'ERR_TRUST_FILE';
  override name = 'TrustFileRefused';
}

/** The public JWKs of a JWK Set file (`{"keys":[…]}`) or of a single-key file. */
export function publicKeysOfFile(file: string): unknown[] {
  if (!existsSync(file)) throw new TrustFileRefused(`${file} does not exist`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown };
  return Array.isArray(parsed.keys) ? parsed.keys : [parsed];
}

export function partnerTrustFile(policy: FederationPolicy, partnerName: string, keys: SenderKeys): PartnerTrustFile {
  const partner = policy.partners.get(partnerName);
  if (!partner) throw new TrustFileRefused(`${partnerName} is not a partner in the federation policy ${policy.file} (partners: ${[...policy.partners.keys()].join(', ') || 'none'})`);
  if (keys.emitterKeys.length === 0) throw new TrustFileRefused('no emitter key is pinned: a partner could check no event');
  if (keys.logKeys.length === 0) throw new TrustFileRefused('no log key: a partner could check no checkpoint');
  if (keys.witnessKeys.length === 0) throw new TrustFileRefused('no witness is pinned (COORD_LOG_WITNESSES_FILE): no checkpoint is ever witnessed, so no slice would ever be sent');
  // public members only, whatever the files held
  const pub = (jwk: unknown, what: string): JWK => ({ ...(ed25519PublicJwk(jwk, what) as JWK) });
  return {
    sender: policy.sender,
    partner: partner.name,
    slice_key: pub(keys.sliceKey, 'the slice-signing key'),
    emitter_keys: keys.emitterKeys.map((k, i) => pub(k, `emitter key ${i}`)),
    log_keys: [...keys.logKeys],
    witness_keys: [...keys.witnessKeys],
    schema_fingerprints: Object.fromEntries(Object.entries(keys.schemaFingerprints).map(([id, fps]) => [id, [...fps]])),
    own_issuers: [...partner.issuers],
  };
}
