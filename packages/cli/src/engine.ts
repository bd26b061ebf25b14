import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@corral/core';
import type { ConfigOverrides } from '@corral/distro';

/**
 * The CLI's engine, opened on first use. conmon's exit command re-enters this very
 * file with the same roots and config, so that a container exiting while no corral
 * process runs is still cleaned up. pino and the distribution (and through it every
 * plugin) load only here: `corral version` or `--help` never pay for them.
 */
export function cliEngine(globals: ConfigOverrides & { logLevel?: string }): { open: () => Promise<Engine>; close: () => Promise<void> } {
  let opened: Promise<Engine> | undefined;
  return {
    open() {
      opened ??= (async () => {
        // pino is CommonJS: its default export is the function in Node and in the bundle alike.
        const [{ default: pino }, { loadConfig, openEngine }] = await Promise.all([import('pino'), import('@corral/distro')]);
        const config = loadConfig(globals);
        // Synchronous writes: a command is short, and an asynchronous destination would
        // flush (and fsync stderr) at every exit.
        const logger = pino({ level: globals.logLevel ?? process.env.CORRAL_LOG_LEVEL ?? 'warn' }, pino.destination({ dest: 2, sync: true }));
        return openEngine({ config, logger, exitCommand: exitCommand(config.root, config.runRoot, globals.configFile) });
      })();
      return opened;
    },
    async close() {
      // An engine that failed to open has reported its error already; nothing to close.
      const engine = await opened?.catch(() => undefined);
      await engine?.close();
    },
  };
}

function exitCommand(root: string, runRoot: string, configFile?: string): string[] {
  const self = resolve(fileURLToPath(import.meta.url));
  return [
    process.execPath,
    self,
    '--root',
    root,
    '--runroot',
    runRoot,
    ...(configFile ? ['--config', configFile] : []),
    'container',
    'cleanup',
  ];
}
