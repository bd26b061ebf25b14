import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { withProgress } from '../progress.js';
import { InvalidArgumentError } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';

const load: CommandModule = {
  usage: 'load [options]',
  options: { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean', short: 'q' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new InvalidArgumentError('load takes no arguments: use -i FILE or standard input');
    const path = str(values, 'input');
    if (!path && ctx.stdin.isTTY) throw new InvalidArgumentError('no archive given: use -i FILE or pipe one to standard input');
    const engine = await ctx.engine();
    const total = path ? (await stat(path)).size : undefined;
    const input = (path ? createReadStream(path) : ctx.stdin).pipe(withProgress('Loading', total, ctx.stderr));
    const loaded = await engine.images.load(input);
    if (!bool(values, 'quiet')) {
      for (const image of loaded) ctx.stdout.write(`Loaded image: ${image.names[0] ?? `sha256:${image.id}`}\n`);
    }
    return 0;
  },
};
export default load;
