/**
 * What each organisation's broker user may do in the federation virtual host: RabbitMQ's three permission
 * regexes (configure, write, read), matched against exchange and queue names. They follow the topology
 * ledger/federation/amqp.ts declares (test/unit/stack/rabbitmq-permissions.test.ts holds the two together):
 *
 *   exchange federation.slices   (direct) ──key <partner>──▶ queue federation.slices.<partner>
 *   exchange federation.receipts (direct) ──key <sender>───▶ queue federation.receipts.<sender>
 *
 * RabbitMQ checks: declaring an exchange or a queue needs *configure* on it (a passive declare needs
 * nothing); binding a queue needs *write* on the queue and *read* on the exchange; publishing needs *write*
 * on the exchange; consuming, getting or purging needs *read* on the queue.
 *
 * - The sender (the ledger, our organisation) declares the whole topology, publishes slices and reads its
 *   own receipts. It cannot read a partner's slices, nor publish a receipt.
 * - A partner declares nothing (it checks its queue passively), reads its own slices queue alone and
 *   publishes receipts. It cannot publish slices, nor read any other queue.
 * Nobody may use the default exchange (`amq.default`) or the predeclared `amq.*` ones: no pattern matches them.
 */
import { FEDERATION_SENDER_ORG, assertFederationOrg } from '../../config/rabbitmq-credentials.js';

export const FEDERATION_VHOST = 'federation';

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/** a name as a regex: each dot as `[.]` (no backslashes, so the patterns survive JSON, YAML and shell as they are) */
const literal = (name: string) => name.replaceAll('.', '[.]');
const SLICES = literal('federation.slices');
const RECEIPTS = literal('federation.receipts');
/** one of the alternatives, anchored at both ends */
const only = (...names: string[]) => `^(${names.join('|')})$`;
/** matches no name: RabbitMQ's idiom for "nothing" */
const NOTHING = '^$';

export function senderPermissions(sender = FEDERATION_SENDER_ORG): Permissions {
  const ownReceipts = `${RECEIPTS}[.]${assertFederationOrg(sender)}`;
  const anyPartnerSlices = `${SLICES}[.][A-Za-z0-9_-]+`;
  return {
    configure: only(SLICES, RECEIPTS, anyPartnerSlices, ownReceipts),
    write: only(SLICES, anyPartnerSlices, ownReceipts),
    read: only(SLICES, RECEIPTS, ownReceipts),
  };
}

export function partnerPermissions(partner: string): Permissions {
  return { configure: NOTHING, write: only(RECEIPTS), read: only(`${SLICES}[.]${assertFederationOrg(partner)}`) };
}

/** The permissions of every organisation the broker knows, the sender's first. */
export function federationPermissions(partners: readonly string[], sender = FEDERATION_SENDER_ORG): Record<string, Permissions> {
  if (partners.includes(sender)) throw new TypeError(`${sender} is the sender; it cannot also be a partner`);
  return Object.fromEntries([[sender, senderPermissions(sender)], ...partners.map((p) => [p, partnerPermissions(p)] as const)]);
}
