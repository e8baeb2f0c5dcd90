/**
 * `coord` — the project's single CLI. Each subcommand lives in cli/commands/ and is imported only when it
 * runs: `coord edge replay --events-only` must not load Temporal's native module, Kafka or SQLite.
 */
import { configOrExit } from '../config/index.js';
import { UsageError } from './output.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  stack: async () => {
    const m = await import('./commands/stack.js');
    return { run: m.stackCommand, usage: m.STACK_USAGE };
  },
  token: async () => {
    const m = await import('./commands/token.js');
    return { run: m.tokenCommand, usage: m.TOKEN_USAGE };
  },
  schemas: async () => {
    const m = await import('./commands/schemas.js');
    return { run: m.schemasCommand, usage: m.SCHEMAS_USAGE };
  },
  audit: async () => {
    const m = await import('./commands/audit.js');
    return { run: m.auditCommand, usage: m.AUDIT_USAGE };
  },
  edge: async () => {
    const m = await import('./commands/edge.js');
    return { run: m.edgeCommand, usage: m.EDGE_USAGE };
  },
  config: async () => {
    const m = await import('./commands/config.js');
    return { run: m.configCommand, usage: m.CONFIG_USAGE };
  },
  federation: async () => {
    // One command group, two sides: the ledger's (status, trust) and a receiving node's (receive, status --org, verify).
    const [send, receive] = await Promise.all([import('./commands/federation-send.js'), import('./commands/federation-receive.js')]);
    return {
      run: (argv: string[]) => (send.isSenderSubcommand(argv) ? send.federationSendCommand(argv) : receive.federationReceiveCommand(argv)),
      usage: `${receive.FEDERATION_RECEIVE_USAGE}\n${send.FEDERATION_SEND_USAGE}`,
    };
  },
  witness: async () => {
    const m = await import('./commands/witness.js');
    return { run: m.witnessCommand, usage: m.WITNESS_USAGE };
  },
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return `usage: coord <command> …\n\n${commands.map((c) => c.usage).join('\n\n')}\n`;
}

// `coord … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

configOrExit(); // a bad setting stops every command before it does anything
const [name, ...argv] = process.argv.slice(2);
const load = name ? COMMANDS[name] : undefined;
try {
  if (!load) {
    process.stderr.write(await usage());
    process.exitCode = name && !['-h', '--help', 'help'].includes(name) ? 2 : 0;
  } else {
    process.exitCode = await (await load()).run(argv);
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
