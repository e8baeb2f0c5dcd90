// One configuration module: every setting parsed once from the environment, a bad value named with what was
// expected, and the README's table rendered from the same declarations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../../config/index.js';
import { ROOT } from '../../../config/paths.js';
import { withTable } from '../../../config/readme-table.js';
import { SETTINGS } from '../../../config/settings.js';

test('with nothing set, every setting takes its default and none counts as given', () => {
  const c = loadConfig({});
  assert.deepEqual(c.KAFKA_BROKERS, ['127.0.0.1:9092']);
  assert.equal(c.COORD_GATEWAY_PORT, 8088);
  assert.equal(c.COORD_SELF_AUDIT_INTERVAL, 60);
  assert.equal(c.COORD_KEEP_STACK, false);
  assert.equal(c.COORD_LEDGER_URL, undefined);
  assert.equal(c.given.size, 0);
});

test('values from the environment are parsed and marked as given (an address given is an external instance)', () => {
  const c = loadConfig({ KAFKA_BROKERS: ' b1:9092, b2:9093 ', COORD_GATEWAY_PORT: '0', COORD_KEEP_STACK: '1', TEMPORAL_ADDRESS: '' });
  assert.deepEqual(c.KAFKA_BROKERS, ['b1:9092', 'b2:9093']);
  assert.equal(c.COORD_GATEWAY_PORT, 0);
  assert.equal(c.COORD_KEEP_STACK, true);
  assert.deepEqual([...c.given].sort(), ['COORD_GATEWAY_PORT', 'COORD_KEEP_STACK', 'KAFKA_BROKERS'], 'an empty variable is unset');
});

test('gateway limits and the codec Host allow-list are settings, parsed and checked', () => {
  const c = loadConfig({ COORD_GATEWAY_RATE_LIMIT_PER_SOURCE: '50', COORD_GATEWAY_CODEC_HOSTS: 'ops.example:443, 127.0.0.1:8088' });
  assert.equal(c.COORD_GATEWAY_RATE_LIMIT_PER_SOURCE, 50);
  assert.equal(c.COORD_GATEWAY_RATE_LIMIT_PER_SUBJECT, 1500);
  assert.deepEqual(c.COORD_GATEWAY_CODEC_HOSTS, ['ops.example:443', '127.0.0.1:8088']);
  assert.throws(() => loadConfig({ COORD_GATEWAY_CODEC_HOSTS: 'https://ops.example/' }), /COORD_GATEWAY_CODEC_HOSTS: expected a comma-separated list of host:port/);
});

test('every bad value is reported at once, by variable, with what was expected', () => {
  const bad = { KAFKA_BROKERS: 'http://broker', COORD_GATEWAY_PORT: '99999', COORD_LOG_LEVEL: 'loud', COORD_SELF_AUDIT_INTERVAL: '-5', COORD_LEDGER_URL: 'mysql://x', PDP_URL: 'not a url', COORD_LEDGER_FAILPOINT: 'sometimes' };
  assert.throws(
    () => loadConfig(bad),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems.map((p) => p.name).sort(), Object.keys(bad).sort());
      assert.match(err.message, /KAFKA_BROKERS: expected a comma-separated list of host:port, got "http:\/\/broker"/);
      assert.match(err.message, /COORD_GATEWAY_PORT: expected a port number, got "99999"/);
      return true;
    },
  );
});

test('a process started with a bad value stops before doing anything, naming the variable', () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'config'], {
    env: { ...process.env, COORD_SELF_AUDIT_WINDOW: 'a day' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 2, res.stderr);
  assert.match(res.stderr, /COORD_SELF_AUDIT_WINDOW: expected a positive integer, got "a day"/);
  assert.equal(res.stdout, '');
});

test('every setting has a meaning and an expectation; the README table is the one rendered from them (npm run config:readme)', () => {
  for (const [name, spec] of Object.entries(SETTINGS)) assert.ok(spec.what && spec.expected, name);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readme, withTable(readme), 'the README configuration table is out of step with config/settings.ts');
});

test('no module outside config/ reads configuration from process.env', () => {
  const res = spawnSync('git', ['grep', '-nE', 'process\\.env(\\.|\\[)', '--', '*.ts', ':!config/', ':!test/', ':!docs/'], { cwd: ROOT, encoding: 'utf8' });
  // passing the environment on to a child process is not reading configuration
  const reads = res.stdout.split('\n').filter((l) => l && !/\.\.\.process\.env|process\.env\.PATH/.test(l));
  assert.deepEqual(reads, []);
});
