import { InvalidArgumentError } from '@corral/core';
import type { CommandModule } from '../context.js';

/** Exit 0 when the container exists, 1 when it does not (podman's contract). */
const exists: CommandModule = {
  usage: 'container exists CONTAINER',
  options: {},
  async run(ctx, { positionals }) {
    if (positionals.length !== 1) throw new InvalidArgumentError('container exists takes exactly one container name or id');
    return (await (await ctx.engine()).exists(positionals[0]!)) ? 0 : 1;
  },
};
export default exists;
