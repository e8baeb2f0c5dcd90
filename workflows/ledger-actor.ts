/** The ledger itself as an actor: it emits lease expiries and records refusals of unverified callers. */
import type { Actor } from '../schemas/envelope.js';

export const LEDGER_VERSION = '0.1.0';
export const LEDGER_ACTOR: Actor = { type: 'service', id: 'coordination-ledger', version: LEDGER_VERSION };
