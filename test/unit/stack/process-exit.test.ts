// A killed component counts as gone only once its ports are free, so `up` can restart it at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { portOpen } from '../../../infra/stack/health.js';

// The pid files go to a scratch data directory; paths are read from the environment at import time.
const dataDir = mkdtempSync(join(tmpdir(), 'coord-process-'));
process.env.COORD_DATA_DIR = dataDir;
const { fullyExited, launch, pidFile, readPid, runningPid, startTicks, waitGone } = await import('../../../infra/stack/process.js');

const ticksOf = (pid: number): string => startTicks(pid)!;

async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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

test('a process whose main thread has exited but another thread still holds the port keeps its pid record', async () => {
  // The main thread leaves with pthread_exit (a zombie leader, as after SIGKILL) while a second thread keeps
  // listening until the release file appears: the moment `up` used to mistake for a foreign process.
  const portFile = join(dataDir, 'port');
  const releaseFile = join(dataDir, 'release');
  const script = `
import ctypes, os, socket, threading, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
def hold():
    while not os.path.exists(${JSON.stringify(releaseFile)}): time.sleep(0.02)
    s.close(); os._exit(0)
threading.Thread(target=hold).start()
open(${JSON.stringify(portFile)}, 'w').write(str(s.getsockname()[1]))
ctypes.CDLL(None).pthread_exit(None)`;
  const rec = launch('half-exited', { command: 'python3', args: ['-c', script] });
  await waitUntil('the port file', () => existsSync(portFile) && readFileSync(portFile, 'utf8').length > 0);
  const port = Number(readFileSync(portFile, 'utf8'));
  await waitUntil('the main thread to exit', () => runningPid('half-exited') === undefined);

  assert.equal(await portOpen('127.0.0.1', port), true, 'the port is still held');
  assert.equal(fullyExited(rec.pid, rec.startTicks), false);
  assert.deepEqual(readPid('half-exited'), rec, 'the pid record stays while a thread lives');

  writeFileSync(releaseFile, '');
  assert.equal(await waitGone(rec.pid, rec.startTicks, 10_000), true);
  assert.equal(await portOpen('127.0.0.1', port), false);
  assert.equal(runningPid('half-exited'), undefined);
  assert.equal(existsSync(pidFile('half-exited')), false, 'the record goes once every thread has exited');
});

test('a recycled pid (other start ticks) counts as exited', () => {
  assert.equal(fullyExited(process.pid, 'not-our-ticks'), true);
  assert.equal(fullyExited(process.pid, ticksOf(process.pid)), false);
});

test('a server the stack launches writes owner-only files: its log 0600 in a 0700 folder, and what it creates itself 0600', async () => {
  const created = join(dataDir, 'made-by-the-server');
  const rec = launch('private-files', { command: 'python3', args: ['-c', `open(${JSON.stringify(created)}, 'w').write('x')`] });
  await waitUntil('the server to write its file', () => existsSync(created));
  await waitGone(rec.pid, rec.startTicks, 10_000);
  const mode = (path: string) => statSync(path).mode & 0o777;
  assert.equal(mode(created), 0o600);
  assert.equal(mode(join(dataDir, 'logs', 'private-files.log')), 0o600);
  assert.equal(mode(join(dataDir, 'logs')), 0o700);
});
