/**
 * The browser the browser tests drive: Debian's `chromium` package (playwright-core's own browser download
 * needs the internet at large; the Debian mirrors are reachable wherever the rest of the stack installs).
 *
 * Unlike RabbitMQ (infra/stack/debian-packages.ts unpacks it into the cache), chromium is installed into the
 * system with `apt-get install`: it is a client program, not a server — no user, no service, nothing that
 * listens — and its hundred-odd shared-library dependencies (GTK, NSS, fonts, Mesa …) are what a fresh
 * machine lacks, which an unpacked copy would not bring along. The .deb files are kept in the project's
 * download cache (`<cache>/apt-archives`), so a machine that drops the package reinstalls it offline-fast.
 * Installing needs root; without it we say which command to run instead.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface Chromium {
  /** the program playwright launches (Debian's /usr/bin/chromium wrapper, or the given one) */
  readonly executablePath: string;
  /** its `--version` line, e.g. `Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)` */
  readonly version: string;
  /** seconds the install took; undefined when the browser was already there */
  readonly installSeconds?: number;
}

export interface EnsureChromiumOptions {
  /** a chromium to use instead of the one on PATH (COORD_CHROMIUM); never installed over */
  readonly executable?: string;
  /** the project's download cache: apt keeps the .deb files in `<cacheDir>/apt-archives` */
  readonly cacheDir: string;
}

export class ChromiumUnavailableError extends Error {
  readonly code = 'ERR_CHROMIUM_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailableError';
  }
}

const PACKAGE = 'chromium';
/** apt's words when its package lists are missing or stale: then (only then) `apt-get update` helps */
const STALE_LISTS = /Unable to locate package|has no installation candidate|is not available|404\s+Not Found|Failed to fetch/;
const TAIL = 1500;

/** A chromium that runs (a `--version` line), or the installed Debian package; throws what stops it. */
export async function ensureChromium(opts: EnsureChromiumOptions): Promise<Chromium> {
  if (opts.executable) {
    const version = await versionOf(opts.executable);
    if (version) return { executablePath: opts.executable, version };
    throw new ChromiumUnavailableError(`COORD_CHROMIUM=${opts.executable} does not run (\`${opts.executable} --version\` failed)`);
  }
  const found = onPath(PACKAGE);
  const version = found && (await versionOf(found));
  if (found && version) return { executablePath: found, version };

  const t0 = Date.now();
  await aptInstall(opts.cacheDir);
  const installed = onPath(PACKAGE);
  const installedVersion = installed && (await versionOf(installed));
  if (!installed || !installedVersion) {
    throw new ChromiumUnavailableError(`apt-get installed ${PACKAGE}, yet \`${PACKAGE} --version\` does not run (PATH=${process.env.PATH})`);
  }
  return { executablePath: installed, version: installedVersion, installSeconds: (Date.now() - t0) / 1000 };
}

/** `apt-get install` of Debian's chromium, without recommends, the .debs cached; `apt-get update` only if it helps. */
async function aptInstall(cacheDir: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new ChromiumUnavailableError(
      `chromium is not installed and installing it needs root: run \`sudo apt-get install --no-install-recommends ${PACKAGE}\`, ` +
        'or set COORD_CHROMIUM to a chromium to use',
    );
  }
  const archives = join(cacheDir, 'apt-archives');
  await mkdir(join(archives, 'partial'), { recursive: true });
  const install = [
    // apt downloads as its sandbox user `_apt`, which cannot write into the cache a root-owned test run made
    '-o', 'APT::Sandbox::User=root',
    '-o', `Dir::Cache::archives=${archives}`,
    // another apt (unattended-upgrades) may hold the dpkg lock for a while: wait for it rather than fail
    '-o', 'DPkg::Lock::Timeout=300',
    '-q', '-y', '--no-install-recommends', 'install', PACKAGE,
  ];
  const first = await aptGet(install);
  if (first.code === 0) return;
  if (!STALE_LISTS.test(first.output)) throw failed(install, first);
  process.stderr.write(`apt-get install ${PACKAGE} found no package (lists missing or stale): apt-get update …\n`);
  const update = ['-o', 'DPkg::Lock::Timeout=300', '-q', 'update'];
  const updated = await aptGet(update);
  if (updated.code !== 0) throw failed(update, updated);
  const second = await aptGet(install);
  if (second.code !== 0) throw failed(install, second);
}

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

function failed(args: readonly string[], outcome: Outcome): ChromiumUnavailableError {
  return new ChromiumUnavailableError(
    `could not install Debian's ${PACKAGE}: \`apt-get ${args.join(' ')}\` exited with ${outcome.code}:\n${outcome.output.slice(-TAIL)}`,
  );
}

/** apt-get with no terminal and no questions (CI has no stdin; debconf must not wait for an answer). */
function aptGet(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString('utf8')).slice(-64 * 1024));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new ChromiumUnavailableError(`apt-get could not be started (not a Debian machine?): ${err.message}`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The first executable `name` on PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The `--version` line of `executable`, or undefined when it does not run (missing libraries, not a browser). */
function versionOf(executable: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(executable, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.once('error', () => resolve(undefined));
    child.once('close', (code) => resolve(code === 0 && /\d+\.\d+/.test(out) ? out.trim().split('\n')[0] : undefined));
  });
}
