// The PDP's policies compile, and their test suites (infra/cerbos/policies/tests/*_test.yaml) pass, with the
// Cerbos binary the stack runs (`cerbos compile`: no server). A suite is what pins a policy's meaning —
// e.g. that the ledger may federate a slice only to a named partner that took part in the composition.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { POLICY_DIR } from '../../../infra/stack/components/pdp.js';

function cerbosBinary(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@cerbos/cerbos-linux-x64');
  } catch {
    return undefined; // an optional dependency: no build for this platform
  }
}

test('cerbos compile: every policy compiles and every policy test passes', { skip: cerbosBinary() ? false : 'no Cerbos binary for this platform' }, () => {
  const run = spawnSync(cerbosBinary()!, ['compile', '--output=json', POLICY_DIR], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  const report = JSON.parse(run.stdout) as { summary?: { overallResult?: string; testsCount?: number } };
  assert.equal(report.summary?.overallResult, 'RESULT_PASSED', run.stdout);
  assert.ok((report.summary?.testsCount ?? 0) > 0, 'the suites ran');
});
