import { parseArgs } from 'node:util';
import { CancelledError } from '@corral/core/errors';
import type { CliContext } from './context.js';
import { findCommand, COMMANDS } from './commands.js';
import { parseCommandArgs } from './args.js';
import { errorMessage, exitCodeFor } from './exit-codes.js';
import { cliEngine } from './engine.js';

const GLOBAL_OPTIONS = {
  root: { type: 'string' },
  runroot: { type: 'string' },
  runtime: { type: 'string' },
  config: { type: 'string' },
  'events-backend': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { tokens } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const firstWord = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  const globalArgs = firstWord ? argv.slice(0, firstWord.index) : argv;
  const rest = firstWord ? argv.slice(firstWord.index) : [];
  const { values: g } = parseArgs({ args: globalArgs, options: GLOBAL_OPTIONS, strict: true, allowPositionals: false });

  if (g.version) rest.unshift('version');
  const found = findCommand(rest);
  if (!found || g.help) {
    if (rest.length > 0 && !found) {
      process.stderr.write(`Error: unrecognized command \`corral ${rest[0]}\`\nTry 'corral --help' for more information\n`);
      return 125;
    }
    process.stdout.write(`Usage: corral [options] COMMAND\n\nCommands:\n  ${Object.keys(COMMANDS).join('\n  ')}\n`);
    return 0;
  }

  const globals = {
    ...(g.root ? { root: g.root } : {}),
    ...(g.runroot ? { runRoot: g.runroot } : {}),
    ...(g.runtime ? { runtime: g.runtime } : {}),
    ...(g.config ? { configFile: g.config } : {}),
    ...(g['events-backend'] ? { events: g['events-backend'] as 'file' } : {}),
    ...(g['log-level'] ? { logLevel: g['log-level'] } : {}),
  };
  const engine = cliEngine(globals);
  // Getters: creating process.stdin (and its tty or pipe stream) costs a few ms that
  // most commands, which never read it, need not pay.
  const ctx: CliContext = {
    globals,
    engine: engine.open,
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
  };
  try {
    const command = await found.load();
    const args = parseCommandArgs(rest.slice(found.used), command.options, command.stopAtPositional ?? false);
    return await command.run(ctx, args);
  } catch (err) {
    if (!(err instanceof CancelledError)) process.stderr.write(`${errorMessage(err)}\n`);
    return exitCodeFor(err);
  } finally {
    await engine.close();
  }
}
