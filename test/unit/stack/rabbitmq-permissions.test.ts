// The broker's permissions (infra/rabbitmq/permissions.ts) against the topology the transport declares
// (ledger/federation/amqp.ts): every operation the federation needs is allowed to the organisation that needs
// it, and nothing more — checked the way RabbitMQ checks it, each AMQP operation against the configure, write
// or read pattern of the resources it touches (RabbitMQ's access-control table).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FEDERATION_SENDER_ORG } from '../../../config/rabbitmq-credentials.js';
import { federationPermissions, partnerPermissions, senderPermissions, type Permissions } from '../../../infra/rabbitmq/permissions.js';
import { RECEIPTS_EXCHANGE, SLICES_EXCHANGE, receiptsQueue, slicesQueue } from '../../../ledger/federation/amqp.js';

type Operation =
  | { op: 'declare exchange' | 'declare queue' | 'delete queue'; name: string }
  | { op: 'bind'; queue: string; exchange: string }
  | { op: 'publish'; exchange: string }
  | { op: 'consume' | 'purge'; queue: string };

/** What RabbitMQ requires for an operation: [permission, resource name] pairs (the default exchange is `amq.default`). */
function requires(o: Operation): [keyof Permissions, string][] {
  switch (o.op) {
    case 'declare exchange':
    case 'declare queue':
    case 'delete queue':
      return [['configure', o.name]];
    case 'bind':
      return [['write', o.queue], ['read', o.exchange]];
    case 'publish':
      return [['write', o.exchange === '' ? 'amq.default' : o.exchange]];
    case 'consume':
    case 'purge':
      return [['read', o.queue]];
  }
}

const allowed = (p: Permissions, o: Operation) => requires(o).every(([kind, name]) => new RegExp(p[kind]).test(name));
const show = (o: Operation) => JSON.stringify(o);

const SENDER = FEDERATION_SENDER_ORG;
const PARTNERS = ['partner', 'vrs-ltd', 'bank_2'];

test('the sender may declare the whole topology, publish slices and read its receipts', () => {
  const p = senderPermissions();
  const needed: Operation[] = [
    { op: 'declare exchange', name: SLICES_EXCHANGE },
    { op: 'declare exchange', name: RECEIPTS_EXCHANGE },
    ...PARTNERS.flatMap((partner): Operation[] => [
      { op: 'declare queue', name: slicesQueue(partner) },
      { op: 'bind', queue: slicesQueue(partner), exchange: SLICES_EXCHANGE },
    ]),
    { op: 'declare queue', name: receiptsQueue(SENDER) },
    { op: 'bind', queue: receiptsQueue(SENDER), exchange: RECEIPTS_EXCHANGE },
    { op: 'publish', exchange: SLICES_EXCHANGE },
    { op: 'consume', queue: receiptsQueue(SENDER) },
  ];
  for (const o of needed) assert.ok(allowed(p, o), show(o));
});

test("the sender may not read a partner's slices, publish a receipt, or use another exchange", () => {
  const p = senderPermissions();
  const forbidden: Operation[] = [
    ...PARTNERS.flatMap((partner): Operation[] => [
      { op: 'consume', queue: slicesQueue(partner) },
      { op: 'purge', queue: slicesQueue(partner) },
    ]),
    { op: 'publish', exchange: RECEIPTS_EXCHANGE },
    { op: 'publish', exchange: '' },
    { op: 'publish', exchange: 'amq.direct' },
    { op: 'declare queue', name: receiptsQueue('someone-else') },
    { op: 'consume', queue: receiptsQueue('someone-else') },
    { op: 'declare exchange', name: 'federation.slices.extra.level' },
    { op: 'declare queue', name: 'unrelated' },
  ];
  for (const o of forbidden) assert.equal(allowed(p, o), false, show(o));
});

test('a partner reads its own slices and publishes receipts, and does nothing else', () => {
  for (const partner of PARTNERS) {
    const p = partnerPermissions(partner);
    assert.ok(allowed(p, { op: 'consume', queue: slicesQueue(partner) }), `${partner} consumes its slices`);
    assert.ok(allowed(p, { op: 'publish', exchange: RECEIPTS_EXCHANGE }), `${partner} publishes receipts`);
    const forbidden: Operation[] = [
      { op: 'publish', exchange: SLICES_EXCHANGE },
      { op: 'publish', exchange: '' },
      { op: 'declare queue', name: slicesQueue(partner) },
      { op: 'declare exchange', name: RECEIPTS_EXCHANGE },
      { op: 'delete queue', name: slicesQueue(partner) },
      { op: 'consume', queue: receiptsQueue(SENDER) },
      { op: 'bind', queue: slicesQueue(partner), exchange: SLICES_EXCHANGE },
      ...PARTNERS.filter((other) => other !== partner).map((other): Operation => ({ op: 'consume', queue: slicesQueue(other) })),
      // a prefix or a suffix of its queue's name is another queue
      { op: 'consume', queue: `${slicesQueue(partner)}x` },
      { op: 'consume', queue: slicesQueue(partner).slice(0, -1) },
    ];
    for (const o of forbidden) assert.equal(allowed(p, o), false, `${partner}: ${show(o)}`);
  }
});

test('patterns are anchored and name dots literally', () => {
  const p = partnerPermissions('partner');
  assert.equal(new RegExp(p.read).test('federationXslicesXpartner'), false);
  assert.equal(new RegExp(p.configure).test(''), true); // RabbitMQ's "nothing": matches only the empty name
  assert.equal(new RegExp(p.configure).test('federation.slices.partner'), false);
  for (const { configure, write, read } of Object.values(federationPermissions(PARTNERS))) {
    for (const pattern of [configure, write, read]) assert.match(pattern, /^\^.*\$$/);
  }
});

test('every organisation gets its permissions; the sender cannot be a partner; names are checked', () => {
  assert.deepEqual(Object.keys(federationPermissions(['partner'])), [SENDER, 'partner']);
  assert.throws(() => federationPermissions([SENDER]), TypeError);
  assert.throws(() => partnerPermissions('a.b'), TypeError);
  assert.throws(() => partnerPermissions('.*'), TypeError);
});
