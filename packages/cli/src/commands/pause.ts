import { bool } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

function pauseLike(verb: 'pause' | 'unpause'): CommandModule {
  return {
    usage: `${verb} [options] CONTAINER [CONTAINER...]`,
    options: { all: { type: 'boolean', short: 'a' } },
    async run(ctx, { values, positionals }) {
      return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) => (verb === 'pause' ? ctr.pause() : ctr.unpause()));
    },
  };
}
export const pause = pauseLike('pause');
export const unpause = pauseLike('unpause');
