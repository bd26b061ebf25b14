import { ErrorCode, hasCode } from '@corral/core';
import type { CommandModule } from '../context.js';

/**
 * What conmon runs when a container exits. It must be quiet and idempotent: a
 * foreground `run --rm` may have cleaned up (or removed) the container already.
 */
const cleanup: CommandModule = {
  usage: 'container cleanup CONTAINER',
  options: { rm: { type: 'boolean' } },
  async run(ctx, { positionals }) {
    // conmon starts us inside the container's runtime directory, which this very
    // cleanup deletes; child processes (umount, netavark) need a cwd that stays.
    process.chdir('/');
    const engine = await ctx.engine();
    for (const name of positionals) {
      try {
        await (await engine.container(name)).cleanup();
      } catch (err) {
        if (!hasCode(err, ErrorCode.NoSuchCtr) && !hasCode(err, ErrorCode.CtrRemoved)) throw err;
      }
    }
    return 0;
  },
};
export default cleanup;
