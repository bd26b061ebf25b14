import { InvalidArgumentError } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { forEachContainer } from './each.js';

const checkpoint: CommandModule = {
  usage: 'container checkpoint [options] CONTAINER [CONTAINER...]',
  options: {
    keep: { type: 'boolean', short: 'k' },
    'leave-running': { type: 'boolean', short: 'R' },
    'tcp-established': { type: 'boolean' },
    'file-locks': { type: 'boolean' },
    export: { type: 'string', short: 'e' },
    'ignore-rootfs': { type: 'boolean' },
    all: { type: 'boolean', short: 'a' },
  },
  async run(ctx, { values, positionals }) {
    const target = str(values, 'export');
    if (target && (positionals.length !== 1 || bool(values, 'all'))) {
      throw new InvalidArgumentError('--export needs exactly one container');
    }
    if (bool(values, 'ignore-rootfs') && !target) throw new InvalidArgumentError('--ignore-rootfs only makes sense with --export');
    return forEachContainer(ctx, positionals, { all: bool(values, 'all') }, (ctr) =>
      ctr.checkpoint({
        keep: bool(values, 'keep'),
        keepRunning: bool(values, 'leave-running'),
        tcpEstablished: bool(values, 'tcp-established'),
        fileLocks: bool(values, 'file-locks'),
        ignoreRootfs: bool(values, 'ignore-rootfs'),
        ...(target ? { targetFile: target } : {}),
      }),
    );
  },
};
export default checkpoint;
