import { InvalidArgumentError } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const restore: CommandModule = {
  usage: 'container restore [options] CONTAINER [CONTAINER...] | --import FILE',
  options: {
    keep: { type: 'boolean', short: 'k' },
    'tcp-established': { type: 'boolean' },
    'file-locks': { type: 'boolean' },
    import: { type: 'string', short: 'i' },
    name: { type: 'string', short: 'n' },
    'ignore-rootfs': { type: 'boolean' },
    'ignore-static-ip': { type: 'boolean' },
    'ignore-static-mac': { type: 'boolean' },
    all: { type: 'boolean', short: 'a' },
  },
  async run(ctx, { values, positionals }) {
    const options = {
      keep: bool(values, 'keep'),
      tcpEstablished: bool(values, 'tcp-established'),
      fileLocks: bool(values, 'file-locks'),
      ignoreRootfs: bool(values, 'ignore-rootfs'),
      ignoreStaticIp: bool(values, 'ignore-static-ip'),
      ignoreStaticMac: bool(values, 'ignore-static-mac'),
    };
    const archive = str(values, 'import');
    const name = str(values, 'name');
    if (archive) {
      if (positionals.length > 0 || bool(values, 'all')) throw new InvalidArgumentError('--import takes no container names');
      const ctr = await (await ctx.engine()).restoreFromArchive(archive, { ...options, ...(name ? { name } : {}) });
      ctx.stdout.write(`${ctr.id}\n`);
      return 0;
    }
    if (name) throw new InvalidArgumentError('--name is only valid with --import');
    return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) => ctr.restore(options));
  },
};
export default restore;
