/**
 * Debian packages unpacked into the download cache, never installed into the system: `apt-get download` of
 * a package and of those it depends on that a filter selects, then `dpkg -x` of each into one folder. The
 * system keeps no trace of it (no users, no /etc, no service, no dpkg database entry), root is needed only
 * when apt's package lists must be fetched first, and a version sits in its own folder of the cache like
 * every other pinned server. The dependencies the filter leaves out (libc, OpenSSL …) must be installed.
 */
import { readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './install.js';

const isRoot = () => process.getuid?.() === 0;

/** The version apt would install (`Candidate:` of `apt-cache policy`), undefined when apt knows none. */
export async function aptCandidate(pkg: string): Promise<string | undefined> {
  const policy = await run('apt-cache', ['policy', pkg]).catch((err: Error) => {
    throw new Error(`apt-cache is needed to install ${pkg} (a Debian or Ubuntu machine): ${err.message}`);
  });
  const candidate = /^\s*Candidate:\s*(\S+)/m.exec(policy)?.[1];
  return candidate && candidate !== '(none)' ? candidate : undefined;
}

/** Fetches apt's package lists (`apt-get update`): as root only, else says what to run. */
export async function aptUpdate(why: string): Promise<void> {
  if (!isRoot()) throw new Error(`${why}; run \`sudo apt-get update\` and try again`);
  process.stderr.write(`apt-get update (${why}) …\n`);
  await run('apt-get', ['update', '-q']);
}

/** `pkg` and every package it depends on (recursively, without recommends) whose name `select` matches. */
export async function dependencyClosure(pkg: string, select: RegExp): Promise<string[]> {
  const out = await run('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', pkg]);
  // top-level lines name packages; indented ones are their dependency relations; <name> is a virtual package
  const names = out.split('\n').filter((line) => line && !line.startsWith(' ') && !line.startsWith('<'));
  return [...new Set(names.filter((name) => name === pkg || select.test(name)))].sort();
}

/** Downloads `pkgs` (the candidate versions) into `dir`; when apt's lists are stale (a 404), updates them once. */
async function download(pkgs: readonly string[], dir: string): Promise<void> {
  // As root, apt hands downloads to its sandbox user `_apt`, which cannot write into our private folder.
  const args = [...(isRoot() ? ['-o', 'APT::Sandbox::User=root'] : []), 'download', '-q', ...pkgs];
  try {
    await run('apt-get', args, { cwd: dir });
  } catch (err) {
    if (!isRoot()) throw err;
    await aptUpdate(`downloading ${pkgs.join(' ')} failed, the package lists may be stale`);
    await run('apt-get', args, { cwd: dir });
  }
}

/**
 * Downloads `pkgs` and unpacks them into `root` (so `/usr/lib/x` lands in `<root>/usr/lib/x`); returns
 * "name version" of each, for the record. The .deb files are deleted afterwards.
 */
export async function unpackDebs(pkgs: readonly string[], root: string): Promise<string[]> {
  const debs = join(root, '.debs');
  await mkdir(debs, { recursive: true });
  await download(pkgs, debs);
  const files = readdirSync(debs).filter((f) => f.endsWith('.deb')).sort();
  if (files.length !== pkgs.length) throw new Error(`apt-get download fetched ${files.length} of ${pkgs.length} packages (${pkgs.join(' ')})`);
  const versions: string[] = [];
  for (const file of files) {
    const deb = join(debs, file);
    versions.push((await run('dpkg-deb', ['--show', '--showformat=${Package} ${Version}', deb])).trim());
    await run('dpkg', ['-x', deb, root]);
  }
  rmSync(debs, { recursive: true, force: true });
  return versions;
}
