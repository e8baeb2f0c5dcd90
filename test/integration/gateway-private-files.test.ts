// What the gateway process creates on disk — here the ledger store it opens for /audit/events — is readable
// by its owner only (files 0600, folders 0700): the ledger's ABAC on reads must not be bypassable by reading
// the file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GatewayHttp } from '../../client/gateway-http.js';
import { mintToken } from '../../infra/idp/client.js';
import type { Services } from '../../workers/services.js';
import { startServices } from '../helpers/services.js';
import { stackReady } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-files-'));
let services: Services;

before(async () => {
  await stackReady();
  services = await startServices('gw-files', { COORD_LEDGER_URL: `sqlite:${join(dir, 'ledger', 'ledger.db')}` });
});
after(async () => {
  await services?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the ledger store the gateway creates is 0600 in a 0700 folder', async () => {
  const auditor = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_read'] });
  const read = await new GatewayHttp(services.gatewayUrl).request('GET', '/audit/events?limit=1', { token: auditor });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
  assert.equal(mode(join(dir, 'ledger')), '700', 'the folder');
  const files = readdirSync(join(dir, 'ledger'));
  assert.ok(files.includes('ledger.db'), files.join(', '));
  for (const file of files) assert.equal(mode(join(dir, 'ledger', file)), '600', file);
});
