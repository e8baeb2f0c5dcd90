// Entry point of `npm test`, `npm run demo` and `npm start` on a fresh clone: installs the npm dependencies
// from the lockfile when they are missing or stale, then runs the given TypeScript file with tsx.
// Plain JavaScript on purpose: it must run before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const lockfile = join(root, 'package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lockfile).mtimeMs) {
  console.error('installing npm dependencies (npm ci) …');
  // better-sqlite3 compiles from source when no prebuilt binary can be fetched; node-gyp would then download
  // node's headers, which a machine without internet beyond npm cannot. The running node's own headers do.
  const nodeDir = join(dirname(process.execPath), '..');
  const env = existsSync(join(nodeDir, 'include', 'node', 'node.h')) ? { ...process.env, npm_config_nodedir: nodeDir } : process.env;
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node infra/bootstrap.mjs <file.ts> [args…]');
  process.exit(2);
}
const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, stdio: 'inherit' });
process.exit(child.status ?? (child.signal ? 1 : 0));
