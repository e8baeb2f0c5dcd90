/** `coord schemas register | check` — registry discipline (one subject per schema_id, BACKWARD). */
import { parseArgs } from 'node:util';
import { checkSchemas, registerSchemas, type SubjectReport } from '../../audit/registry-discipline.js';
import { auditTopic, schemaRegistryEndpoint } from '../../config/endpoints.js';
import { lifecycleMermaid } from '../../schemas/mermaid.js';
import { UsageError, print, printJson } from '../output.js';

export const SCHEMAS_USAGE = `coord schemas register [--topic t] [--json]   register every event schema (idempotent); exit 1 if one is refused
coord schemas check [--topic t] [--json]      exit 1 naming each subject whose local schema is an incompatible change
coord schemas diagram                         the lifecycle as a Mermaid state diagram (drawn from the declared transitions)`;

function report(reports: SubjectReport[], json: boolean): number {
  const failed = reports.filter((r) => r.status === 'incompatible');
  if (json) printJson({ ok: failed.length === 0, subjects: reports });
  else {
    for (const r of reports) print(`${r.status.padEnd(12)} ${r.subject}${r.id !== undefined ? ` (id ${r.id})` : ''}`);
    for (const r of failed) {
      process.stderr.write(`\nINCOMPATIBLE ${r.subject}:\n${r.problems!.map((p) => `  - ${p}`).join('\n')}\n`);
      process.stderr.write(`  A breaking change needs a new schema_id (${r.schema_id.replace(/v(\d+)$/, (_, n: string) => `v${Number(n) + 1}`)}).\n`);
    }
  }
  return failed.length ? 1 : 0;
}

export async function schemasCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { topic: { type: 'string', default: auditTopic() }, json: { type: 'boolean', default: false } } });
  const opts = { registryUrl: schemaRegistryEndpoint().address, topic: values.topic };
  if (verb === 'register') return report(await registerSchemas(opts), values.json);
  if (verb === 'check') return report(await checkSchemas(opts), values.json);
  if (verb === 'diagram') {
    print(lifecycleMermaid());
    return 0;
  }
  throw new UsageError(SCHEMAS_USAGE);
}
