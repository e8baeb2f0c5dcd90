/**
 * Ed25519 checkpoint cosignatures, cosignature/v1 (https://c2sp.org/tlog-cosignature): a witness's note
 * signature on a checkpoint, saying that as of `time` this is the largest consistent tree it has seen.
 *
 *   key ID          = SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte public key)[:4]   (type 0x04, not 0x01)
 *   signed message  = "cosignature/v1\n" ‖ "time <POSIX seconds, no leading zero>\n" ‖ the checkpoint body
 *   signature bytes = u64 big-endian timestamp ‖ 64-byte Ed25519 signature  (after the key ID in the line)
 *
 * The message does not name the cosigner, so the spec forbids one key for two cosigners. Keys: vkeys of
 * type 0x04; skeys in Go's PRIVATE+KEY form with the same type byte (as transparency-dev/formats reads them).
 */
import { SIGNATURE_SIZE, keyPairFromSeed, newSeed, verifierFor } from './ed25519.js';
import { concatBytes, utf8 } from './encoding.js';
import { TlogError } from './errors.js';
import { parseCheckpoint } from './checkpoint.js';
import { SIG_COSIGNATURE_V1, formatSignerKey, formatVerifierKey, isValidKeyName, keyId, parseSignerKey, parseVerifierKey, type NoteVerifier } from './note-keys.js';
import { parseSignatureLine, signatureLine, type NoteSignature } from './note.js';

const TIMESTAMP_SIZE = 8;

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** timestamp ‖ signature for the checkpoint body at `time` (POSIX seconds) */
  sign(checkpointBody: string, time: number): Uint8Array;
}

/** The bytes a cosigner signs; throws ERR_COSIGNATURE_MALFORMED for a body that is not a checkpoint. */
export function cosignedMessage(checkpointBody: string, time: number): Uint8Array {
  // The spec allows up to 2^63 − 1; JavaScript numbers are exact to 2^53 − 1, some 285 million years away.
  if (!Number.isSafeInteger(time) || time < 0) throw new TlogError('ERR_COSIGNATURE_MALFORMED', `the timestamp must be a non-negative safe integer, got ${time}`);
  try {
    parseCheckpoint(checkpointBody);
  } catch (err) {
    throw new TlogError('ERR_COSIGNATURE_MALFORMED', `only a checkpoint can be cosigned: ${(err as Error).message}`);
  }
  return utf8(`cosignature/v1\ntime ${time}\n${checkpointBody}`);
}

/** A fresh cosigner key: the skey to keep secret and the type 0x04 vkey to give log clients. */
export function generateCosignerKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  const seed = newSeed();
  return { signerKey: formatSignerKey(name, SIG_COSIGNATURE_V1, seed), verifierKey: formatVerifierKey(name, SIG_COSIGNATURE_V1, keyPairFromSeed(seed).publicKey) };
}

export function cosignerFromKey(skey: string): Cosigner {
  const { name, seed } = parseSignerKey(skey, SIG_COSIGNATURE_V1);
  return cosignerFromSeed(name, seed);
}

/** A cosigner from a 32-byte Ed25519 seed kept in another form (e.g. the `d` of an Ed25519 JWK). */
export function cosignerFromSeed(name: string, seed: Uint8Array): Cosigner {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  const pair = keyPairFromSeed(seed);
  return {
    name,
    keyId: keyId(name, SIG_COSIGNATURE_V1, pair.publicKey),
    publicKey: pair.publicKey,
    sign(checkpointBody, time) {
      const message = cosignedMessage(checkpointBody, time); // checks the body and the time first
      const stamp = new Uint8Array(TIMESTAMP_SIZE);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
      return concatBytes(stamp, pair.sign(message));
    },
  };
}

/** The signature line a cosigner adds under a signed checkpoint (append it to the note). */
export function cosign(checkpointBody: string, cosigner: Cosigner, time: number): string {
  return signatureLine(cosigner.name, cosigner.keyId, cosigner.sign(checkpointBody, time));
}

/** The timestamp a cosignature carries (not verified by this alone), or null if it is not cosignature/v1-sized. */
export function cosignatureTime(signature: NoteSignature): number | null {
  if (signature.signature.length !== TIMESTAMP_SIZE + SIGNATURE_SIZE) return null;
  const time = new DataView(signature.signature.buffer, signature.signature.byteOffset).getBigUint64(0);
  return time <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(time) : null;
}

/** A note verifier for a cosigner's type 0x04 vkey: pass it to openNote beside the log's own verifier. */
export function cosignatureVerifier(vkey: string): NoteVerifier {
  const { name, keyId: id, publicKey } = parseVerifierKey(vkey, SIG_COSIGNATURE_V1);
  const verify = verifierFor(publicKey);
  return {
    name,
    keyId: id,
    verify(text, signature) {
      const time = cosignatureTime({ name, keyId: id, signature });
      if (time === null) return false;
      let message: Uint8Array;
      try {
        message = cosignedMessage(new TextDecoder().decode(text), time);
      } catch {
        return false;
      }
      return verify(message, signature.subarray(TIMESTAMP_SIZE));
    },
  };
}

/** The time a cosignature line vouches for `checkpointBody` with, or null if it is not the verifier's valid cosignature. */
export function verifyCosignature(checkpointBody: string, line: string, verifier: NoteVerifier): number | null {
  let signature: NoteSignature;
  try {
    signature = parseSignatureLine(line);
  } catch {
    return null;
  }
  if (signature.name !== verifier.name || signature.keyId !== verifier.keyId) return null;
  if (!verifier.verify(utf8(checkpointBody), signature.signature)) return null;
  return cosignatureTime(signature);
}
