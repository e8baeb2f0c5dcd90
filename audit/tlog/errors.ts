/** Errors of the transparency-log formats, with stable codes (callers switch on `code`, never on the message). */

export type TlogErrorCode =
  /** a verifier or signer key string that does not parse, or whose key id does not match its key */
  | 'ERR_NOTE_KEY'
  /** a signed note that breaks the signed-note grammar or its size limits */
  | 'ERR_NOTE_MALFORMED'
  /** a signature from a known key that does not verify (the whole note is refused) */
  | 'ERR_NOTE_SIGNATURE'
  /** no signature from a known key: the text must not be trusted */
  | 'ERR_NOTE_UNVERIFIED'
  /** two verifiers given for the same key name and key id */
  | 'ERR_NOTE_AMBIGUOUS_KEY'
  /** a checkpoint body that breaks tlog-checkpoint */
  | 'ERR_CHECKPOINT_MALFORMED'
  /** a cosignature that breaks tlog-cosignature */
  | 'ERR_COSIGNATURE_MALFORMED';

export class TlogError extends Error {
  override name = 'TlogError';
  constructor(
    readonly code: TlogErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
