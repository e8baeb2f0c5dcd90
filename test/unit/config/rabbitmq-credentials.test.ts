// The federation broker's settings: RABBITMQ_URL names broker and vhost, never credentials; the credentials
// file holds one user per organisation, read as given; a malformed file or a missing organisation stops the
// client with the file's name.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, type ConfigError } from '../../../config/index.js';
import { LOCAL_PORTS } from '../../../config/local-ports.js';
import { assertFederationOrg, readRabbitmqCredentials } from '../../../config/rabbitmq-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'rabbitmq-credentials-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

test('RABBITMQ_URL: the local broker and the federation vhost by default; given, an external broker', () => {
  const local = loadConfig({});
  assert.equal(local.RABBITMQ_URL, `amqp://127.0.0.1:${LOCAL_PORTS.rabbitmq}/federation`);
  assert.equal(local.given.has('RABBITMQ_URL'), false);
  const external = loadConfig({ RABBITMQ_URL: 'amqps://mq.partner.example:5671/federation' });
  assert.equal(external.given.has('RABBITMQ_URL'), true);
});

test('RABBITMQ_URL refuses credentials, a missing vhost and other schemes, naming the variable', () => {
  for (const bad of ['amqp://ledger:secret@127.0.0.1:5672/federation', 'amqp://127.0.0.1:5672', 'amqp://127.0.0.1:5672/', 'amqp://h/a/b', 'http://127.0.0.1:5672/federation']) {
    assert.throws(
      () => loadConfig({ RABBITMQ_URL: bad }),
      (err: ConfigError) => err.problems.length === 1 && err.problems[0]!.name === 'RABBITMQ_URL',
      bad,
    );
  }
});

test('a credentials file with one organisation gives that one, and no other', () => {
  const credentials = readRabbitmqCredentials(file('partner.json', JSON.stringify({ partner: { username: 'svc-partner', password: 's3cret' } })));
  assert.deepEqual(credentials, { partner: { username: 'svc-partner', password: 's3cret' } });
  assert.equal(Object.hasOwn(credentials, 'ledger'), false);
});

test('a malformed or missing file is refused with its name', () => {
  for (const [name, text] of [
    ['no-password.json', JSON.stringify({ ledger: { username: 'l' } })],
    ['bad-org.json', JSON.stringify({ 'a.b': { username: 'l', password: 'p' } })],
    ['not-json.json', '{ledger'],
  ] as const) {
    const bad = file(name, text);
    assert.throws(() => readRabbitmqCredentials(bad), { message: new RegExp(`${bad} is not`) });
  }
  assert.throws(() => readRabbitmqCredentials(join(dir, 'absent.json')), { message: /cannot read .*absent\.json/ });
});

test('organisation names: letters, digits, dash and underscore', () => {
  assert.equal(assertFederationOrg('vrs-ltd_2'), 'vrs-ltd_2');
  for (const bad of ['', 'a.b', 'a b', '#', 'x'.repeat(65)]) assert.throws(() => assertFederationOrg(bad), TypeError, bad);
});
