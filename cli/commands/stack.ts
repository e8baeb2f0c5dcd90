/** `coord stack up | down | status [--json] | logs <component>` — the local stack of ARCHITECTURE §2. */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { logFile } from '../../infra/stack/process.js';
import { COMPONENT_NAMES, ComponentError, down, status, up } from '../../infra/stack/stack.js';
import { UsageError, print, printJson } from '../output.js';

export const STACK_USAGE = `coord stack up [component…]        install what is missing, start what is not running, wait until healthy
coord stack down [component…]      stop the processes the stack started (by pid)
coord stack status [--json]        each component's address, pid and health (exit 1 unless all healthy)
coord stack logs <component> [-n N] the last N lines of a component's log (default 100)
components: ${COMPONENT_NAMES.join(', ')}`;

export async function stackCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, lines: { type: 'string', short: 'n', default: '100' } },
  });
  switch (verb) {
    case 'up': {
      const started = Date.now();
      try {
        const { outcomes } = await up({ only: positionals });
        if (values.json) printJson(outcomes);
        else for (const [name, outcome] of Object.entries(outcomes)) print(`${name.padEnd(16)} ${outcome}`);
        if (!values.json) print(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        return 0;
      } catch (err) {
        if (!(err instanceof ComponentError)) throw err;
        process.stderr.write(`stack up failed — ${err.message}\n`);
        return 1;
      }
    }
    case 'down': {
      const stopped = await down({ only: positionals });
      if (values.json) printJson({ stopped });
      else print(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'status': {
      const all = await status({ only: positionals });
      if (values.json) printJson({ components: all });
      else {
        for (const c of all) {
          const state = c.healthy ? 'healthy' : c.pid || c.external ? 'UNHEALTHY' : 'stopped';
          const links = c.links ? ` ${Object.entries(c.links).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
          print(`${c.name.padEnd(16)} ${state.padEnd(9)} ${c.address}${c.external ? ' (external)' : ` pid=${c.pid ?? '-'}`}${links}`);
        }
      }
      return all.every((c) => c.healthy) ? 0 : 1;
    }
    case 'logs': {
      const name = positionals[0];
      if (!name || !COMPONENT_NAMES.includes(name)) throw new UsageError(`coord stack logs <component>; components: ${COMPONENT_NAMES.join(', ')}`);
      const file = logFile(name);
      if (!existsSync(file)) throw new UsageError(`no log yet for ${name} (${file})`);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      print(lines.slice(-Number(values.lines)).join('\n'));
      return 0;
    }
    default:
      throw new UsageError(STACK_USAGE);
  }
}
