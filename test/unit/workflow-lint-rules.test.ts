// The lint rules that keep workflow code deterministic actually fire on workflows/** (and only there).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../../config/paths.js';

// Type information is not needed for these rules, and the snippets are not files of the project.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/consistent-type-imports': 'off' },
  },
});

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

test('a Node built-in imported in workflows/ is an error', async () => {
  for (const mod of ['fs', 'node:crypto', 'http']) {
    const ids = await ruleIds(`import * as m from '${mod}';\nexport const x = m;\n`, 'workflows/example.ts');
    assert.ok(ids.includes('@typescript-eslint/no-restricted-imports'), `${mod}: ${ids.join(', ')}`);
  }
});

test('a value import from activities/ is an error in workflows/, a type import is fine', async () => {
  const value = await ruleIds(`import { createActivities } from '../activities/index.js';\nexport const x = createActivities;\n`, 'workflows/example.ts');
  assert.ok(value.includes('@typescript-eslint/no-restricted-imports'), value.join(', '));
  const typeOnly = await ruleIds(`import type { createActivities } from '../activities/index.js';\nexport type X = typeof createActivities;\n`, 'workflows/example.ts');
  assert.deepEqual(typeOnly, []);
});

test('Math.random is an error in workflows/', async () => {
  const ids = await ruleIds('export const r = Math.random();\n', 'workflows/example.ts');
  assert.ok(ids.includes('no-restricted-properties'), ids.join(', '));
});

test('the same imports are allowed outside workflows/', async () => {
  const ids = await ruleIds(`import * as fs from 'node:fs';\nexport const x = fs;\n`, 'activities/example.ts');
  assert.deepEqual(ids, []);
});
