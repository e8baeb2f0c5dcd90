/**
 * The people a dev IdP knows, per organisation: data, not code branches. A person signs in by user name
 * (a dev IdP has no passwords; production uses the organisation's real IdP) and gets at most the scopes
 * listed here, whatever the page asks for. `sub` is what the access token names as the human actor.
 */
import type { IdpName } from '../../config/endpoints.js';

export interface Person {
  /** what the person types on the sign-in form */
  username: string;
  /** the token's `sub`: the human actor the audit events name */
  sub: string;
  name: string;
  /** every API scope this person may be granted */
  scopes: readonly string[];
}

const DIRECTORY: Record<IdpName, readonly Person[]> = {
  firm: [
    // an auditor: reads the audit ledger (the audit-ledger policy admits the firm's humans with audit_read)
    { username: 'alice', sub: 'alice@citi.example', name: 'Alice (auditor)', scopes: ['audit_read'] },
    // the §7b human: requests and reviews the screening, attests the edition (as cli/demo/vrs-tokens.ts's human)
    { username: 'bob', sub: 'bob@citi.example', name: 'Bob (attesting operator)', scopes: ['fusion_operator', 'vrs_screening_request', 'vrs_screening_review', 'edition_attest'] },
  ],
  partner: [{ username: 'pat', sub: 'pat@vrs.example', name: 'Pat (partner auditor)', scopes: ['audit_read'] }],
  // the internal IdP asserts agents and services only: nobody signs in there
  internal: [],
};

export function peopleOf(org: IdpName): readonly Person[] {
  return DIRECTORY[org];
}

export function personByUsername(org: IdpName, username: string): Person | undefined {
  return DIRECTORY[org].find((p) => p.username === username);
}

export function personBySub(org: IdpName, sub: string): Person | undefined {
  return DIRECTORY[org].find((p) => p.sub === sub);
}

/** Every scope someone of this organisation may hold: what its API resource server offers. */
export function apiScopesOf(org: IdpName): string[] {
  return [...new Set(DIRECTORY[org].flatMap((p) => p.scopes))].sort();
}
