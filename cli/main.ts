/** `coord` — the project's single CLI. Each subcommand lives in cli/commands/. */
import { auditCommand, AUDIT_USAGE } from './commands/audit.js';
import { schemasCommand, SCHEMAS_USAGE } from './commands/schemas.js';
import { stackCommand, STACK_USAGE } from './commands/stack.js';
import { tokenCommand, TOKEN_USAGE } from './commands/token.js';
import { UsageError } from './output.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  stack: { run: stackCommand, usage: STACK_USAGE },
  token: { run: tokenCommand, usage: TOKEN_USAGE },
  schemas: { run: schemasCommand, usage: SCHEMAS_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
};

function usage(): string {
  return `usage: coord <command> …\n\n${Object.values(COMMANDS).map((c) => c.usage).join('\n\n')}\n`;
}

// `coord … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const [name, ...argv] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
try {
  if (!command) {
    process.stderr.write(usage());
    process.exitCode = name && !['-h', '--help', 'help'].includes(name) ? 2 : 0;
  } else {
    process.exitCode = await command.run(argv);
  }
} catch (err) {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`coord ${name}: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
