// The folders are layers (docs/architecture.md, "Folders and what each may import"): an import may go down
// or sideways within its folder, never up. This test reads every import of every source file and names each
// one that climbs.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../config/paths.js';

/** folder → the folders it may import (besides itself). Bottom first. */
export const MAY_IMPORT: Record<string, readonly string[]> = {
  config: [],
  lib: ['config'],
  schemas: [],
  audit: ['schemas'],
  kafka: ['audit', 'schemas', 'config', 'lib'],
  workflows: ['audit', 'schemas', 'activities (types only)'],
  activities: ['kafka', 'audit', 'schemas', 'config', 'lib'],
  client: ['workflows', 'audit', 'schemas', 'config', 'lib'],
  ledger: ['client', 'workflows', 'kafka', 'audit', 'schemas', 'config', 'lib'],
  workers: ['ledger', 'client', 'activities', 'workflows', 'kafka', 'audit', 'schemas', 'config', 'lib'],
  gateway: ['ledger', 'client', 'activities', 'workflows', 'kafka', 'audit', 'schemas', 'config', 'lib'],
  infra: ['client', 'workflows', 'kafka', 'audit', 'schemas', 'config', 'lib'],
  witness: ['audit', 'schemas', 'config', 'lib'],
  cli: ['witness', 'infra', 'gateway', 'workers', 'ledger', 'client', 'activities', 'workflows', 'kafka', 'audit', 'schemas', 'config', 'lib'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(e.name) ? [path] : [];
  });
}

const IMPORT = /^\s*(import|export)(\s+type)?\b[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm;

function violations(): string[] {
  const found: string[] = [];
  for (const folder of Object.keys(MAY_IMPORT)) {
    for (const file of sources(join(ROOT, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[3] ?? m[4]!;
        const target = relative(ROOT, resolve(dirname(file), spec)).split('/')[0]!;
        if (target === folder) continue;
        const allowed = MAY_IMPORT[folder]!;
        const typeOnly = Boolean(m[2]);
        if (allowed.includes(target) || (typeOnly && allowed.includes(`${target} (types only)`))) continue;
        const line = text.slice(0, m.index).split('\n').length;
        found.push(`${relative(ROOT, file)}:${line} imports ${target}/ (${spec})`);
      }
    }
  }
  return found;
}

test('no import climbs a layer', () => {
  assert.deepEqual(violations(), []);
});

test('the rule sees an upward import (a fixture, checked against the same table)', () => {
  // audit/ is pure library code: it may not reach into the ledger, even for a type
  assert.equal(MAY_IMPORT.audit!.includes('ledger'), false);
  const m = [..."import type { SigningKey } from '../../ledger/signing-key.js';".matchAll(IMPORT)][0]!;
  assert.equal(relative(ROOT, resolve(join(ROOT, 'audit', 'bundle'), m[3]!)).split('/')[0], 'ledger');
});
