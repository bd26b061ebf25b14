import { InvalidArgumentError } from '@corral/core';
import { str } from '../args.js';
import type { CommandModule } from '../context.js';

const exportCommand: CommandModule = {
  usage: 'export [options] CONTAINER',
  options: { output: { type: 'string', short: 'o' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new InvalidArgumentError('export takes exactly one container');
    const ctr = await (await ctx.engine()).container(positionals[0]!);
    const output = str(values, 'output');
    if (output) await ctr.exportToPath(output);
    else {
      if (ctx.stdout.isTTY) throw new InvalidArgumentError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
      await ctr.export(ctx.stdout);
    }
    return 0;
  },
};
export default exportCommand;
