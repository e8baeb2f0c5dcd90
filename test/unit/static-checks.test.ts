// The code typechecks under strict settings and passes the project's lint rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../../config/paths.js';

const bin = (pkg: string, rel: string) => createRequire(import.meta.url).resolve(`${pkg}/${rel}`);

function runNode(script: string, args: string[]) {
  const res = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

test('tsc --noEmit reports no type errors', () => {
  const { status, output } = runNode(bin('typescript', 'bin/tsc'), ['--noEmit', '-p', '.']);
  assert.equal(status, 0, output);
});

test('eslint reports no problems', async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const results = await eslint.lintFiles(['.']);
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  assert.equal(problems, 0, (await eslint.loadFormatter('stylish')).format(results) as string);
});
