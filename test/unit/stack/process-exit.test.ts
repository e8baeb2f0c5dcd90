// A killed component counts as gone only once its ports are free, so `up` can restart it at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { portOpen } from '../../../infra/stack/health.js';
import { fullyExited, waitGone } from '../../../infra/stack/process.js';

function ticksOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

test('a SIGKILLed multi-threaded listener is fully exited only when its port is free', async () => {
  // Worker threads keep the process multi-threaded, like the IdPs, Kafka and Apicurio.
  const script = `
    const { Worker } = require('node:worker_threads');
    for (let i = 0; i < 4; i++) new Worker('setInterval(() => {}, 1000)', { eval: true });
    require('node:net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
  const ticks = ticksOf(child.pid!);
  assert.equal(fullyExited(child.pid!, ticks), false);
  assert.equal(await portOpen('127.0.0.1', port), true);

  child.kill('SIGKILL');
  assert.equal(await waitGone(child.pid!, ticks, 10_000), true);
  assert.equal(await portOpen('127.0.0.1', port), false);
});

test('a recycled pid (other start ticks) counts as exited', () => {
  assert.equal(fullyExited(process.pid, 'not-our-ticks'), true);
  assert.equal(fullyExited(process.pid, ticksOf(process.pid)), false);
});
