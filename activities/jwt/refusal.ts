/** A token that will never verify: a stable reason code, and what it claimed (unverified, never trusted). */
import type { ReasonCode } from '../../schemas/reason-codes.js';

export interface UnverifiedHints {
  issuer?: string;
  subject?: string;
  jwt_jti?: string;
  kid?: string;
  alg?: string;
}

export class TokenRefusal extends Error {
  override name = 'TokenRefusal';
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly unverified: UnverifiedHints = {},
  ) {
    super(message);
  }
}
