import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Engine } from '@corral/core';
import { loadConfig, openEngine, type ConfigOverrides } from '@corral/distro';

/**
 * The CLI's engine, opened on first use. conmon's exit command re-enters this very
 * file with the same roots and config, so that a container exiting while no corral
 * process runs is still cleaned up.
 */
export function cliEngine(globals: ConfigOverrides & { logLevel?: string }): { open: () => Promise<Engine>; close: () => Promise<void> } {
  let opened: Promise<Engine> | undefined;
  return {
    open() {
      opened ??= (async () => {
        const config = loadConfig(globals);
        const logger = pino({ level: globals.logLevel ?? process.env.CORRAL_LOG_LEVEL ?? 'warn' }, pino.destination(2));
        return openEngine({ config, logger, exitCommand: exitCommand(config.root, config.runRoot, globals.configFile) });
      })();
      return opened;
    },
    async close() {
      if (opened) await (await opened).close();
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
