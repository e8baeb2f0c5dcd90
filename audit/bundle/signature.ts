/**
 * The bundle's signature: a compact JWS with a detached payload (`header..signature`) over the exact bytes
 * of manifest.json, EdDSA (Ed25519), `kid` = the RFC 7638 thumbprint of the public key carried in the
 * protected header (`jwk`). A verifier either pins the key it trusts or, lacking one, checks the signature
 * against the header's key and reports that key's thumbprint — which proves integrity, not authorship.
 * Or HS256 (HMAC-SHA256, seed 004) with a shared secret named by `kid` and carried nowhere: only a verifier
 * given the same secret can check it.
 */
import { CompactSign, base64url, decodeProtectedHeader, flattenedVerify, importJWK, type JWK } from 'jose';
import { HMAC_ALG, SIGNING_ALG, publicJwkOf, thumbprintOf, type HmacKey, type SigningKey } from './signing-key.js';

export type SignatureProblemKind = 'signature_missing' | 'signature_malformed' | 'kid_mismatch' | 'signature_wrong_key' | 'signature_invalid';

export interface SignatureCheck {
  /** bundle.jws exists */
  present: boolean;
  ok: boolean;
  /** checked against a key the caller gave, rather than the one the bundle carries */
  pinned: boolean;
  alg?: string;
  kid?: string;
  /** thumbprint of the key in the header (the signer, if the signature holds) */
  thumbprint?: string;
  /** thumbprint of the pinned key */
  pinned_thumbprint?: string;
  kind?: SignatureProblemKind;
  reason?: string;
}

export async function signManifest(manifestBytes: Uint8Array, key: SigningKey | HmacKey): Promise<string> {
  const jws =
    'kind' in key
      ? await new CompactSign(manifestBytes).setProtectedHeader({ alg: HMAC_ALG, kid: key.kid }).sign(key.secret)
      : await new CompactSign(manifestBytes).setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, jwk: key.publicJwk }).sign(key.privateKey);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

/** Checks `jws` (null: no bundle.jws) against manifest.json's bytes. Never throws on bad input: it says why. */
export async function verifyManifestSignature(jws: string | null, manifestBytes: Uint8Array, pinnedKey?: JWK | HmacKey): Promise<SignatureCheck> {
  if (jws !== null && pinnedKey && 'kind' in pinnedKey) return verifyHmac(jws, manifestBytes, pinnedKey);
  const pinned = pinnedKey && !('kind' in pinnedKey) ? pinnedKey : undefined;
  const pinnedThumbprint = pinned ? thumbprintOf(pinned) : undefined;
  const base = { pinned: pinned !== undefined, ...(pinnedThumbprint ? { pinned_thumbprint: pinnedThumbprint } : {}) };
  if (jws === null) {
    return pinned
      ? { present: false, ok: false, ...base, kind: 'signature_missing', reason: 'the bundle is not signed (no bundle.jws), but a public key was given' }
      : { present: false, ok: true, ...base };
  }
  const fail = (kind: SignatureProblemKind, reason: string, extra: Partial<SignatureCheck> = {}): SignatureCheck => ({ present: true, ok: false, ...base, ...extra, kind, reason });

  const parts = jws.trim().split('.');
  if (parts.length !== 3) return fail('signature_malformed', `bundle.jws is not a compact JWS (${parts.length} parts, expected 3)`);
  const [protectedHeader, payload, signature] = parts as [string, string, string];
  if (payload !== '') return fail('signature_malformed', 'bundle.jws must have a detached payload (header..signature)');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws.trim());
  } catch (err) {
    return fail('signature_malformed', `the protected header does not decode: ${(err as Error).message}`);
  }
  const { alg, kid } = header;
  const ids = { ...(alg ? { alg } : {}), ...(kid ? { kid } : {}) };
  if (alg === HMAC_ALG) return fail('signature_wrong_key', 'an HMAC-signed bundle is checked only with its shared secret (--hmac-key)', ids);
  if (alg !== SIGNING_ALG) return fail('signature_malformed', `alg is ${JSON.stringify(alg)}, expected ${SIGNING_ALG}`, ids);
  if (!header.jwk || typeof header.jwk !== 'object' || 'd' in header.jwk) return fail('signature_malformed', 'the protected header must carry the public key (jwk) and no private member', ids);
  let thumbprint: string;
  try {
    thumbprint = thumbprintOf(header.jwk as JWK);
  } catch (err) {
    return fail('signature_malformed', (err as Error).message, ids);
  }
  const signer = { ...ids, thumbprint };
  if (kid !== thumbprint) return fail('kid_mismatch', `kid ${JSON.stringify(kid)} is not the thumbprint of the header's key (${thumbprint})`, signer);
  if (pinnedThumbprint && pinnedThumbprint !== thumbprint) {
    return fail('signature_wrong_key', `signed by key ${thumbprint}, not by the pinned key ${pinnedThumbprint}`, signer);
  }
  try {
    const key = await importJWK(publicJwkOf(pinned ?? (header.jwk as JWK)), SIGNING_ALG);
    await flattenedVerify({ protected: protectedHeader, payload: base64url.encode(manifestBytes), signature }, key, { algorithms: [SIGNING_ALG] });
  } catch (err) {
    return fail('signature_invalid', `the signature does not hold for manifest.json as it is (${(err as Error).message})`, signer);
  }
  return { present: true, ok: true, ...base, ...signer };
}

/** An HS256 bundle signature against the shared secret given. */
async function verifyHmac(jws: string, manifestBytes: Uint8Array, key: HmacKey): Promise<SignatureCheck> {
  const base = { present: true, pinned: true, pinned_thumbprint: key.kid } as const;
  const fail = (kind: SignatureProblemKind, reason: string): SignatureCheck => ({ ...base, ok: false, kind, reason });
  const parts = jws.trim().split('.');
  if (parts.length !== 3 || parts[1] !== '') return fail('signature_malformed', 'bundle.jws is not a detached compact JWS (header..signature)');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws.trim());
  } catch (err) {
    return fail('signature_malformed', `the protected header does not decode: ${(err as Error).message}`);
  }
  if (header.alg !== HMAC_ALG) return fail('signature_wrong_key', `the bundle is signed with ${JSON.stringify(header.alg)}, not with the HMAC key given`);
  if (header.kid !== key.kid) return fail('signature_wrong_key', `signed with HMAC key ${JSON.stringify(header.kid)}, not with the one given (${key.kid})`);
  try {
    await flattenedVerify({ protected: parts[0]!, payload: base64url.encode(manifestBytes), signature: parts[2]! }, key.secret, { algorithms: [HMAC_ALG] });
  } catch (err) {
    return fail('signature_invalid', `the HMAC does not hold for manifest.json as it is (${(err as Error).message})`);
  }
  return { ...base, ok: true, alg: HMAC_ALG, kid: key.kid, thumbprint: key.kid };
}
