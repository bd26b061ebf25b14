import { bool } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

export const mount: CommandModule = {
  usage: 'mount CONTAINER [CONTAINER...]',
  options: {},
  async run(ctx, { positionals }) {
    const paths = new Map<string, string>();
    const status = await forEachContainer(ctx, positionals, { print: (name) => paths.get(name) ?? name }, async (ctr) => {
      paths.set(positionals.find((p) => p === ctr.name || ctr.id.startsWith(p)) ?? ctr.name, await ctr.mount());
    });
    return status;
  },
};

export const umount: CommandModule = {
  usage: 'umount [options] CONTAINER [CONTAINER...]',
  options: { force: { type: 'boolean', short: 'f' }, all: { type: 'boolean', short: 'a' } },
  async run(ctx, { values, positionals }) {
    return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) => ctr.unmount(bool(values, 'force')));
  },
};
