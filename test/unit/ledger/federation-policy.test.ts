// The federation policy file: read strictly (a bad one names the member), receipt keys inline or as files
// (relative to the policy, or under ${COORD_DATA_DIR}), a selection digest that changes with what selects
// compositions only; and the dev policy in step with the dev stack — the partner IdP's issuer, the receiving
// node's receipt key file, the organisations the PDP's federation policy allows.
import assert from 'node:assert/strict';
import { FEDERATION_SENDER_ORG } from '../../../config/rabbitmq-credentials.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { idpEndpoint } from '../../../config/endpoints.js';
import { DATA_DIR, ROOT } from '../../../config/paths.js';
import { FederationPolicyError, devFederationPolicyFile, loadReceiptKey, parseFederationPolicy, readFederationPolicy } from '../../../ledger/federation/policy.js';
import { receiptPublicKeyFile } from '../../../workers/federation/receipt-key.js';
import { federationDir } from '../../../workers/federation/store.js';

const JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const parse = (value: unknown, file = '/etc/coord/federation.json') => parseFederationPolicy(JSON.stringify(value), file);
const partner = (over: Record<string, unknown> = {}) => ({ issuers: ['https://idp.partner.example'], receipt_key: JWK, ...over });

test('a policy: the sender, and per partner its issuers, its composition types and its receipt key', () => {
  const policy = parse({ sender: 'ledger', partners: { partner: partner({ composition_types: ['vrs_screening'] }), auditor: partner({ receipt_key: 'auditor.jwk' }) } });
  assert.equal(policy.sender, 'ledger');
  assert.deepEqual([...policy.partners.keys()], ['partner', 'auditor']);
  const p = policy.partners.get('partner')!;
  assert.deepEqual([p.issuers, p.compositionTypes, p.receiptKey], [['https://idp.partner.example'], ['vrs_screening'], { kind: 'inline', jwk: JWK }]);
  assert.deepEqual(loadReceiptKey(p), JWK);
  assert.deepEqual(policy.partners.get('auditor')!.receiptKey, { kind: 'file', path: '/etc/coord/auditor.jwk' }, 'relative to the policy file');
  assert.equal(policy.partners.get('auditor')!.compositionTypes, undefined, 'no list: every type');
  const data = parse({ sender: 'ledger', partners: { partner: partner({ receipt_key: '${COORD_DATA_DIR}/federation/partner/receipt-key.pub.jwk' }) } });
  assert.deepEqual(data.partners.get('partner')!.receiptKey, { kind: 'file', path: join(DATA_DIR, 'federation', 'partner', 'receipt-key.pub.jwk') });
});

test('the selection digest changes with the issuers and the types, not with their order or the receipt key', () => {
  const digest = (p: Record<string, unknown>) => parse({ sender: 'ledger', partners: { partner: partner(p) } }).partners.get('partner')!.selectionDigest;
  const base = digest({ issuers: ['a', 'b'] });
  assert.equal(digest({ issuers: ['b', 'a'] }), base);
  assert.equal(digest({ issuers: ['a', 'b'], receipt_key: 'elsewhere.jwk' }), base);
  assert.notEqual(digest({ issuers: ['a'] }), base);
  assert.notEqual(digest({ issuers: ['a', 'b'], composition_types: ['vrs_screening'] }), base);
});

test('a bad policy stops with the member named', () => {
  const cases: [unknown, RegExp][] = [
    [{ sender: 'Internal', partners: {} }, /sender: an organisation name/],
    [{ sender: 'ledger', partners: { 'bad name': partner() } }, /partners\.bad name/],
    [{ sender: 'ledger', partners: { partner: partner({ issuers: [] }) } }, /partners\.partner\.issuers/],
    [{ sender: 'ledger', partners: { partner: partner({ extra: true }) } }, /partners\.partner: Unrecognized key/],
    [{ sender: 'ledger', partners: { ledger: partner() } }, /an organisation does not federate to itself/],
    [{ sender: 'ledger', partners: { partner: partner({ receipt_key: { kty: 'RSA', n: 'x', e: 'AQAB' } }) } }, /partners\.partner\.receipt_key/],
    [{ sender: 'ledger', partners: { partner: partner({ receipt_key: { ...JWK, d: 'secret' } }) } }, /holds a private key/],
    [{ partners: {} }, /sender/],
  ];
  for (const [value, message] of cases) assert.throws(() => parse(value), (err: Error) => err instanceof FederationPolicyError && message.test(err.message), JSON.stringify(value));
  assert.throws(() => parseFederationPolicy('{"sender":', '/x.json'), /\/x\.json: not JSON/);
  assert.throws(() => readFederationPolicy('/nowhere/policy.json'), /the federation policy \/nowhere\/policy\.json does not exist/);
  const missing = parse({ sender: 'ledger', partners: { partner: partner({ receipt_key: '/nowhere/key.jwk' }) } });
  assert.throws(() => loadReceiptKey(missing.partners.get('partner')!), /\/nowhere\/key\.jwk does not exist \(yet\)/);
});

test('the dev policy fits the dev stack: the partner IdP’s issuer, the receiving node’s key file, the PDP’s federation rule', () => {
  const policy = readFederationPolicy(devFederationPolicyFile());
  assert.equal(policy.sender, FEDERATION_SENDER_ORG, 'the sender is the broker user the local stack creates for our ledger');
  const p = policy.partners.get('partner')!;
  assert.deepEqual(p.issuers, [idpEndpoint('partner').address]);
  assert.deepEqual(p.receiptKey, { kind: 'file', path: receiptPublicKeyFile(federationDir('partner')) });
  const pdp = JSON.stringify(parseYaml(readFileSync(join(ROOT, 'infra', 'cerbos', 'policies', 'federation.yaml'), 'utf8')));
  assert.ok(pdp.includes(`request.principal.attr.org == \\"${policy.sender}\\"`), 'the PDP lets our ledger federate');
  for (const name of policy.partners.keys()) assert.match(pdp, new RegExp(`request\\.resource\\.attr\\.partner in \\[[^\\]]*\\\\"${name}\\\\"`), `the PDP names ${name}`);
});
