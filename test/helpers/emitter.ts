/** A throwaway emitter key for tests that sign events themselves: its signer and the keyring pinning it. */
import { generateKeyPairSync } from 'node:crypto';
import { EmitterKeyring, EmitterSigner, EMITTER_KID_HEADER, EMITTER_SIG_HEADER } from '../../audit/emitter-signature.js';

export function testEmitter(): { signer: EmitterSigner; keyring: EmitterKeyring } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  const signer = new EmitterSigner({ kty: 'OKP', crv: 'Ed25519', x, d });
  return { signer, keyring: new EmitterKeyring([signer.publicJwk]) };
}

/** The Kafka headers the publisher would send with an event of this hash. */
export function signatureHeaders(signer: EmitterSigner, thisHash: string): Record<string, string> {
  const { kid, sig } = signer.sign(thisHash);
  return { [EMITTER_SIG_HEADER]: sig, [EMITTER_KID_HEADER]: kid };
}
