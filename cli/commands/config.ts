/** `coord config` — the configuration this process would run with, and the README table rendered from it. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { config } from '../../config/index.js';
import { ROOT } from '../../config/paths.js';
import { withTable } from '../../config/readme-table.js';
import { SETTINGS, type SettingName } from '../../config/settings.js';
import { UsageError, print, printJson } from '../output.js';

export const CONFIG_USAGE = `coord config [--json]      every setting: its value and whether it came from the environment (secrets shown as [set])
coord config readme         rewrite the README's configuration table from config/settings.ts`;

/** Settings whose values are secrets: shown only as set or unset. */
const SECRET: ReadonlySet<SettingName> = new Set(['COORD_PAYLOAD_KEYS']);

export async function configCommand(argv: string[]): Promise<number> {
  const [verb] = argv;
  if (verb === 'readme') {
    const file = join(ROOT, 'README.md');
    writeFileSync(file, withTable(readFileSync(file, 'utf8')));
    print(`${file}: configuration table rewritten`);
    return 0;
  }
  if (verb !== undefined && !verb.startsWith('-')) throw new UsageError(CONFIG_USAGE);
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const current = config();
  const rows = (Object.keys(SETTINGS) as SettingName[]).map((name) => {
    const value = current[name];
    const shown = SECRET.has(name) && value !== undefined ? '[set]' : value;
    return { name, value: shown ?? null, from: current.given.has(name) ? 'environment' : 'default' };
  });
  if (values.json) printJson(rows);
  else for (const r of rows) print(`${r.name.padEnd(34)} ${String(Array.isArray(r.value) ? r.value.join(',') : (r.value ?? '—')).padEnd(48)} ${r.from}`);
  return 0;
}
