/**
 * The receiving node's trust file: everything it pins of the sender, and who it is, in one JSON file that it
 * keeps itself (public keys only — a private member anywhere is refused, since it means a secret was copied
 * where it does not belong):
 *
 *   { "sender": "ledger", "partner": "partner",
 *     "slice_key": { "kty": "OKP", "crv": "Ed25519", "x": "…" },            the sender's export signing key
 *     "emitter_keys": [{ "kty": "OKP", "crv": "Ed25519", "x": "…" }],       its workers' emitter keys
 *     "log_keys": ["coordination-ledger.dev/audit-log+1a2b3c4d+AR…"],       its transparency log (C2SP vkeys)
 *     "witness_keys": ["partner+5e6f7a8b+BP…"],                              every witness that must cosign
 *     "schema_fingerprints": { "composition.requested.v1": ["sha256:…"] },  accepted schemas
 *     "own_issuers": ["https://idp.partner.example"] }                      this organisation's issuers
 *
 * Strict: unknown members, an empty list, a key that does not parse are errors naming the member — a node
 * that would verify against less than it was meant to pin does not start.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import { EmitterKeyring } from '../../audit/emitter-signature.js';
import { sliceSchema } from '../../audit/slice/format.js';
import type { SliceTrust } from '../../audit/slice/verify.js';
import { cosignatureVerifier } from '../../audit/tlog/cosignature.js';
import { noteVerifier } from '../../audit/tlog/note-keys.js';

export const MAX_TRUST_FILE_BYTES = 1 << 20;

const vkey = z.string().min(1).max(1000);
const trustFileSchema = z.strictObject({
  sender: sliceSchema.shape.sender,
  partner: sliceSchema.shape.partner,
  slice_key: z.record(z.string(), z.unknown()),
  emitter_keys: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
  log_keys: z.array(vkey).min(1).max(100),
  witness_keys: z.array(vkey).min(1).max(100),
  schema_fingerprints: z.record(z.string().min(1).max(200), z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)).min(1).max(100)),
  own_issuers: z.array(z.string().min(1).max(500)).min(1).max(1000),
});
export type TrustFileJson = z.infer<typeof trustFileSchema>;

export class TrustFileError extends Error {
  override name = 'TrustFileError';
  readonly code = 'ERR_TRUST_FILE';
}

/** `<DATA_DIR>/federation/<org>/trust.json`: where a receiving node looks when no --trust is given. */
export const defaultTrustFile = (orgDir: string) => join(orgDir, 'trust.json');

/** The trust file's JSON → what verification pins. Throws TrustFileError naming `where` and the member. */
export function parseTrust(value: unknown, where = 'the trust file'): SliceTrust {
  const parsed = trustFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TrustFileError(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const t = parsed.data;
  const member = <T>(name: string, read: () => T): T => {
    try {
      return read();
    } catch (err) {
      throw new TrustFileError(`${where}: ${name}: ${(err as Error).message}`);
    }
  };
  for (const [i, jwk] of [t.slice_key, ...t.emitter_keys].entries()) {
    if ('d' in jwk) throw new TrustFileError(`${where}: ${i === 0 ? 'slice_key' : `emitter_keys.${i - 1}`} holds a private key ("d"): a trust file pins public keys only`);
  }
  const sliceKey = member('slice_key', () => ed25519PublicJwk(t.slice_key, 'the slice key') as JWK);
  const emitters = member('emitter_keys', () => new EmitterKeyring(t.emitter_keys));
  t.log_keys.forEach((k, i) => member(`log_keys.${i}`, () => noteVerifier(k)));
  t.witness_keys.forEach((k, i) => member(`witness_keys.${i}`, () => cosignatureVerifier(k)));
  if (t.sender === t.partner) throw new TrustFileError(`${where}: sender and partner are both ${t.sender}`);
  return {
    sender: t.sender,
    partner: t.partner,
    sliceKey,
    emitters,
    logKeys: t.log_keys,
    witnessKeys: t.witness_keys,
    schemaFingerprints: t.schema_fingerprints,
    ownIssuers: t.own_issuers,
  };
}

/** Reads and checks a trust file (at most 1 MiB). */
export function readTrust(file: string): SliceTrust {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new TrustFileError(`the trust file ${file} cannot be read: ${(err as Error).message}`);
  }
  if (size > MAX_TRUST_FILE_BYTES) throw new TrustFileError(`${file}: larger than ${MAX_TRUST_FILE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TrustFileError(`${file}: not JSON (${(err as Error).message})`);
  }
  return parseTrust(value, file);
}
