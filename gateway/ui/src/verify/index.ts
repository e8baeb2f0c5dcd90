/**
 * The in-browser verifier of an export bundle (WebCrypto only: no Node built-in, no Buffer), for the
 * timeline page. Values and types are exported separately.
 */
export { verifyBundle } from './verify-bundle.js';
export { verifyAppended } from './verify-appended.js';
export { trustFromTrustFile } from './trust.js';
export { BREAK_CODES } from './types.js';

export type { AppendedSignature } from './verify-appended.js';
export type { LinkPrevious } from './chain.js';
export type {
  Break,
  BreakCode,
  BundleFiles,
  BundleSummary,
  CheckpointSummary,
  EventVerdict,
  InclusionStatus,
  PageTrust,
  PublicJwk,
  SignatureStatus,
  Verdict,
} from './types.js';
