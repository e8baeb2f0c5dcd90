/** The data converter every Temporal client and worker of the project uses: JSON payloads, encrypted. */
import type { DataConverter } from '@temporalio/common';
import { loadCodecKeys } from './codec-keys.js';
import { EncryptionCodec, type CodecKeys } from './payload-codec.js';

export function encryptedDataConverter(keys: CodecKeys = loadCodecKeys()): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}
