/**
 * The seed's §7b.7 replay assertions, as code: each a regulator-facing claim made mechanical (chain
 * integrity, the lifecycle path, the privacy invariant, the federated SSO posture, the ABAC outcomes).
 */
import type { AuditEvent } from '../schemas/catalog.js';
import { replayState } from '../schemas/replay-state.js';
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import { verify } from './verify.js';

export interface Assertion {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VrsExpectations {
  /** issuer of the firm's human users (seed: idp.citi.example) */
  firmIssuer: string;
  /** issuer of the partner organisation's participant (seed: idp.vrs.example) */
  partnerIssuer: string;
  /** 9: the seed's sequence (ARCHITECTURE §4) */
  events?: number;
}

const check = (name: string, ok: boolean, detail: string): Assertion => ({ name, ok, detail });

export function vrsAssertions(events: readonly AuditEvent[], expect: VrsExpectations): Assertion[] {
  const chain = verify(events);
  const replay = replayState(events);
  const psi = events.filter((e) => e.schema_id === SCHEMA_IDS.psiRoundCompleted);
  const psiPayloads = psi.map((e) => e.payload as { raw_records_transmitted: number; node_a_issuer: string; node_b_issuer: string });
  const humans = events.filter((e) => e.actor.type === 'human');
  const expectedCount = expect.events ?? 9;
  return [
    check('chain integrity', chain.ok, chain.ok ? 'every prev_hash and this_hash holds' : `first break: ${JSON.stringify(chain.first_break)}`),
    check(`len(events) == ${expectedCount}`, events.length === expectedCount, `${events.length} events`),
    check('first event is composition.requested.v1', events[0]?.schema_id === SCHEMA_IDS.requested, String(events[0]?.schema_id)),
    check('last event is composition.closed.v1', events.at(-1)?.schema_id === SCHEMA_IDS.closed, String(events.at(-1)?.schema_id)),
    check(
      'replay reaches "closed" by a valid path',
      replay.valid && replay.state === 'closed',
      replay.valid ? `final state ${replay.state}` : `invalid at ${replay.invalid.index}: ${replay.invalid.code} ${replay.invalid.message}`,
    ),
    check('privacy: raw_records_transmitted == 0', psi.length > 0 && psiPayloads.every((p) => p.raw_records_transmitted === 0), `${psi.length} PSI round(s)`),
    check(
      'federated SSO: every human event comes from the firm IdP',
      humans.length > 0 && humans.every((e) => e.auth?.issuer === expect.firmIssuer),
      `${humans.length} human event(s), issuers ${[...new Set(humans.map((e) => e.auth?.issuer))].join(', ')}`,
    ),
    check(
      'federated SSO: PSI node A is the partner IdP, node B the firm IdP',
      psi.length > 0 && psiPayloads.every((p) => p.node_a_issuer === expect.partnerIssuer && p.node_b_issuer === expect.firmIssuer),
      psiPayloads.map((p) => `${p.node_a_issuer} / ${p.node_b_issuer}`).join('; '),
    ),
    check(
      'every ABAC decision was ALLOW',
      events.every((e) => e.abac_decision?.outcome === 'ALLOW'),
      `${events.filter((e) => e.abac_decision?.outcome === 'ALLOW').length}/${events.length} ALLOW`,
    ),
  ];
}
