/** A throwaway emitter key for tests that sign events themselves: its signer and the keyring pinning it. */
import { EmitterKeyring, EmitterSigner, EMITTER_KID_HEADER, EMITTER_SIG_HEADER } from '../../audit/emitter-signature.js';

export function testEmitter(): { signer: EmitterSigner; keyring: EmitterKeyring } {
  const signer = EmitterSigner.ephemeral();
  return { signer, keyring: new EmitterKeyring([signer.publicJwk]) };
}

/** The Kafka headers the publisher would send with an event of this hash. */
export function signatureHeaders(signer: EmitterSigner, thisHash: string): Record<string, string> {
  const { kid, sig } = signer.sign(thisHash);
  return { [EMITTER_SIG_HEADER]: sig, [EMITTER_KID_HEADER]: kid };
}
