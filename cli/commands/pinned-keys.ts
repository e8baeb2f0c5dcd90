/** The keys a verifier of exports pins, as command-line options: one parser for `edge replay` and `audit verify-bundle`. */
import { readHmacKey, readPublicJwk, type HmacKey } from '../../audit/bundle/signing-key.js';
import { readTrustFile, readVerifierKey } from '../../audit/bundle/trust-file.js';
import { readEmitterKeyring, type EmitterKeyring } from '../../audit/emitter-signature.js';
import type { JWK } from 'jose';
import { UsageError } from '../output.js';

export const PINNED_KEY_OPTIONS = {
  key: { type: 'string' as const },
  'hmac-key': { type: 'string' as const },
  'emitter-key': { type: 'string' as const },
  'log-key': { type: 'string' as const, multiple: true as const, default: [] as string[] },
  'witness-key': { type: 'string' as const, multiple: true as const, default: [] as string[] },
  trust: { type: 'string' as const },
};

export interface PinnedKeyValues {
  key?: string | undefined;
  'hmac-key'?: string | undefined;
  'emitter-key'?: string | undefined;
  'log-key': string[];
  'witness-key': string[];
  trust?: string | undefined;
}

export interface PinnedKeys {
  publicKey?: JWK | HmacKey;
  emitters?: EmitterKeyring;
  logKeys: string[];
  witnessKeys: string[];
}

export function pinnedKeys(values: PinnedKeyValues): PinnedKeys {
  if (values.key && values['hmac-key']) throw new UsageError('--key and --hmac-key: a bundle has one signature');
  const trust = values.trust ? readTrustFile(values.trust) : undefined;
  const publicKey = values['hmac-key'] ? readHmacKey(values['hmac-key']) : values.key ? readPublicJwk(values.key) : trust?.bundleKey;
  const emitters = values['emitter-key'] ? readEmitterKeyring(values['emitter-key']) : trust?.emitters;
  return {
    ...(publicKey ? { publicKey } : {}),
    ...(emitters ? { emitters } : {}),
    logKeys: [...values['log-key'].map(readVerifierKey), ...(trust?.logKeys ?? [])],
    witnessKeys: [...values['witness-key'].map(readVerifierKey), ...(trust?.witnessKeys ?? [])],
  };
}
