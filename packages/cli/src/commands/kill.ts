import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const kill: CommandModule = {
  usage: 'kill [options] CONTAINER [CONTAINER...]',
  options: { signal: { type: 'string', short: 's' }, all: { type: 'boolean', short: 'a' } },
  async run(ctx, { values, positionals }) {
    const signal = str(values, 'signal') ?? 'SIGKILL';
    return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) => ctr.kill(signal));
  },
};
export default kill;
