// Proves the local PDP (Cerbos, standing in for UDS) is real: it allows and denies, and returns a call id for each decision.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { HTTP } from '@cerbos/http';
import { pdpEndpoint } from '../../config/endpoints.js';
import { stackReady } from '../helpers/stack.js';

let pdp: HTTP;

before(async () => {
  await stackReady();
  pdp = new HTTP(pdpEndpoint().address);
});

async function decide(roles: string[], action: string, resourceAttr: Record<string, boolean | string> = {}) {
  const res = await pdp.checkResources({
    principal: { id: 'user_smith@citi.example', roles, attr: { issuer: 'http://127.0.0.1:9401' } },
    resources: [{ resource: { kind: 'composition', id: 'cmp_smoke', attr: { composition_type: 'vrs_screening', ...resourceAttr } }, actions: [action] }],
  });
  const allowed = res.isAllowed({ resource: { kind: 'composition', id: 'cmp_smoke' }, action });
  return { allowed, callId: res.cerbosCallId };
}

test('ALLOW: a human requests a composition; the decision carries a call id', async () => {
  const { allowed, callId } = await decide(['human'], 'composition.requested.v1');
  assert.equal(allowed, true);
  assert.match(callId, /^[0-9A-Z]{26}$/, 'Cerbos call ids are ULIDs');
});

test('DENY: an agent may not close a composition; the denial carries its own call id', async () => {
  const allow = await decide(['human'], 'composition.closed.v1');
  const deny = await decide(['agent'], 'composition.closed.v1');
  assert.equal(allow.allowed, true);
  assert.equal(deny.allowed, false);
  assert.ok(deny.callId.length > 0);
  assert.notEqual(deny.callId, allow.callId);
});

test('DENY by attribute: nothing is allowed on a composition under legal hold', async () => {
  const { allowed } = await decide(['human'], 'composition.requested.v1', { legal_hold: true });
  assert.equal(allowed, false);
});

async function readLedger(role: string, org: string, scopes: string[], action = 'read_events') {
  const res = await pdp.checkResources({
    principal: { id: 'auditor@citi.example', roles: [role], attr: { org, scopes } },
    resources: [{ resource: { kind: 'audit_ledger', id: 'ledger', attr: {} }, actions: [action] }],
  });
  return res.isAllowed({ resource: { kind: 'audit_ledger', id: 'ledger' }, action });
}

test('the audit ledger: our humans and services with audit_read may read; partners, agents and readers without the scope may not', async () => {
  assert.equal(await readLedger('human', 'firm', ['audit_read']), true);
  assert.equal(await readLedger('service', 'internal', ['audit_read'], 'read_quarantine'), true);
  assert.equal(await readLedger('human', 'partner', ['audit_read']), false, 'a federation partner');
  assert.equal(await readLedger('agent', 'firm', ['audit_read']), false, 'an agent');
  assert.equal(await readLedger('human', 'firm', ['compositions']), false, 'no audit_read scope');
  assert.equal(await readLedger('human', 'firm', ['audit_read'], 'delete_events'), false, 'an action nothing allows');
});
