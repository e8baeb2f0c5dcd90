// The Kafka credentials file: each principal's username and password, read as given; a malformed file or a
// missing principal stops the client with the file's name, and a bad mechanism stops the process at start.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, type ConfigError } from '../../../config/index.js';
import { readKafkaCredentials } from '../../../config/kafka-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-credentials-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

test('a file with only its own principal gives that principal, and no other', () => {
  const credentials = readKafkaCredentials(file('worker.json', JSON.stringify({ worker: { username: 'svc-coord-worker', password: 's3cret' } })));
  assert.equal(credentials.ledger, undefined);
  assert.deepEqual(credentials, { worker: { username: 'svc-coord-worker', password: 's3cret' } });
});

test('a malformed or missing file is refused with its name', () => {
  const bad = file('bad.json', JSON.stringify({ worker: { username: 'w' } }));
  assert.throws(() => readKafkaCredentials(bad), { message: new RegExp(`${bad} is not`) });
  assert.throws(() => readKafkaCredentials(join(dir, 'absent.json')), { message: /cannot read .*absent\.json/ });
});

test('SASL settings: SCRAM-SHA-512 by default, TLS off; an unknown mechanism stops the process', () => {
  const c = loadConfig({});
  assert.equal(c.KAFKA_SASL_MECHANISM, 'scram-sha-512');
  assert.equal(c.KAFKA_SSL, false);
  assert.throws(() => loadConfig({ KAFKA_SASL_MECHANISM: 'gssapi' }), (err: ConfigError) => err.problems[0]?.name === 'KAFKA_SASL_MECHANISM');
});
