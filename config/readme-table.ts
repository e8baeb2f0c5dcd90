/**
 * The README's configuration table, rendered from config/settings.ts. `npm run config:readme` rewrites the
 * table between its markers; test/unit/config/readme-table.test.ts fails when the README is out of step.
 */
import { SETTINGS, type SettingGroup } from './settings.js';

export const TABLE_START = '<!-- configuration table: generated from config/settings.ts by `npm run config:readme` -->';
export const TABLE_END = '<!-- end of configuration table -->';

const GROUPS: SettingGroup[] = ['servers', 'identity', 'audit and ledger', 'processes', 'local stack', 'tests and benchmarks'];

export function configurationTable(): string {
  const rows = ['| variable | default | what |', '|---|---|---|'];
  for (const group of GROUPS) {
    rows.push(`| **${group}** | | |`);
    for (const [name, spec] of Object.entries(SETTINGS)) {
      if (spec.group !== group) continue;
      const shown = 'shownDefault' in spec && spec.shownDefault ? spec.shownDefault : 'fallback' in spec && spec.fallback !== undefined ? `\`${spec.fallback}\`` : '—';
      rows.push(`| \`${name}\` | ${shown} | ${spec.what} |`);
    }
  }
  return rows.join('\n');
}

/** The README with its table replaced by the rendered one. */
export function withTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('README has no configuration table markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${configurationTable()}\n${readme.slice(end)}`;
}
