import { ErrorCode, hasCode } from '@corral/core';
import { bool, int } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const stop: CommandModule = {
  usage: 'stop [options] CONTAINER [CONTAINER...]',
  options: {
    time: { type: 'string', short: 't' },
    all: { type: 'boolean', short: 'a' },
    ignore: { type: 'boolean', short: 'i' },
  },
  async run(ctx, { values, positionals }) {
    const timeout = int(values, 'time');
    return forEachContainer(ctx, positionals, { all: bool(values, 'all'), ignoreMissing: bool(values, 'ignore') }, async (ctr) => {
      try {
        await ctr.stop(timeout);
      } catch (err) {
        // Stopping a stopped container succeeds, as with podman.
        if (!hasCode(err, ErrorCode.CtrStopped)) throw err;
      }
    });
  },
};
export default stop;
