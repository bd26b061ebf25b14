import { ErrorCode, InvalidArgumentError, hasCode } from '@corral/core';
import { bool } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';
import { runAttached } from './run.js';

const start: CommandModule = {
  usage: 'start [options] CONTAINER [CONTAINER...]',
  options: {
    attach: { type: 'boolean', short: 'a' },
    interactive: { type: 'boolean', short: 'i' },
    'detach-keys': { type: 'string' },
    'sig-proxy': { type: 'boolean' },
  },
  async run(ctx, { values, positionals }) {
    if (bool(values, 'attach') || bool(values, 'interactive')) {
      if (positionals.length !== 1) throw new InvalidArgumentError('you cannot start and attach multiple containers at once');
      const ctr = await (await ctx.engine()).container(positionals[0]!);
      const config = ctr.config;
      return runAttached(ctx, ctr, { ...values, tty: config.terminal, rm: config.autoRemove, interactive: bool(values, 'interactive') });
    }
    return forEachContainer(ctx, positionals, {}, async (ctr) => {
      try {
        await ctr.start();
      } catch (err) {
        // Starting a running container is not an error for podman's CLI.
        if (!hasCode(err, ErrorCode.CtrRunning)) throw err;
      }
    });
  },
};
export default start;
