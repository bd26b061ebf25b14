import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@corral/core';
import type { ConfigOverrides } from '@corral/distro';

/**
 * The CLI's engine, opened on first use. conmon's exit command re-enters this very
 * file with the same roots and config, so that a container exiting while no corral
 * process runs is still cleaned up. The distribution (and through it every plugin)
 * loads only here: `corral version` or `--help` never pay for it; pino loads only when
 * a message is logged (see logger.ts).
 */
export function cliEngine(globals: ConfigOverrides & { logLevel?: string }): { open: () => Promise<Engine>; close: () => Promise<void> } {
  let opened: Promise<Engine> | undefined;
  return {
    open() {
      opened ??= (async () => {
        const [{ lazyPino }, { loadConfig, openEngine }] = await Promise.all([import('./logger.js'), import('@corral/distro')]);
        const config = loadConfig(globals);
        const logger = lazyPino(globals.logLevel ?? process.env.CORRAL_LOG_LEVEL ?? 'warn');
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

/**
 * Node and the launcher directly, not the sh launcher on PATH: conmon gives its exit
 * command a minimal environment (no NODE_EXTRA_CA_CERTS), so the sh step would only
 * add an exec.
 */
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
