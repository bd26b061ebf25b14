import { bool, int } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const restart: CommandModule = {
  usage: 'restart [options] CONTAINER [CONTAINER...]',
  options: { time: { type: 'string', short: 't' }, all: { type: 'boolean', short: 'a' } },
  async run(ctx, { values, positionals }) {
    const timeout = int(values, 'time');
    return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) => ctr.restart(timeout));
  },
};
export default restart;
