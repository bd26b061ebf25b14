import { bool, int } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const rm: CommandModule = {
  usage: 'rm [options] CONTAINER [CONTAINER...]',
  options: {
    force: { type: 'boolean', short: 'f' },
    all: { type: 'boolean', short: 'a' },
    time: { type: 'string', short: 't' },
    ignore: { type: 'boolean', short: 'i' },
    volumes: { type: 'boolean', short: 'v' },
  },
  async run(ctx, { values, positionals }) {
    const force = bool(values, 'force');
    const timeout = int(values, 'time');
    return forEachContainer(
      ctx,
      positionals,
      { all: bool(values, 'all'), ignoreMissing: bool(values, 'ignore'), missingExit: 1, print: (_name, ctr) => (bool(values, 'all') ? ctr.id : _name) },
      (ctr) => ctr.remove({ force, ...(timeout !== undefined ? { timeout } : {}) }),
    );
  },
};
export default rm;
