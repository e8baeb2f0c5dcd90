// The README's lifecycle diagram is the one generated from the declared transitions, not a stale copy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../config/paths.js';
import { lifecycleMermaid } from '../../../schemas/mermaid.js';

test('README.md contains the current lifecycle diagram (regenerate with: npx coord schemas diagram)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes('```mermaid\n' + lifecycleMermaid() + '\n```'), 'the README diagram differs from the declared lifecycle');
});
