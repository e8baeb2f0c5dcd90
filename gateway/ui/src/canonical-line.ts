/** A live event's line: its RFC 8785 canonical JSON, the form the ledger records and the verifier hashes. */
import { canonicalJson } from '../../../audit/canonical.js';

export const canonicalLine = (event: Record<string, unknown>): string => canonicalJson(event);
