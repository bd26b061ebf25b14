import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { withProgress } from '../progress.js';
import { InvalidArgumentError } from '@corral/core';
import { str } from '../args.js';
import type { CommandModule } from '../context.js';

const save: CommandModule = {
  usage: 'save [options] IMAGE [IMAGE...]',
  options: { output: { type: 'string', short: 'o' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new InvalidArgumentError('save needs at least one image');
    const format = str(values, 'format') ?? 'docker-archive';
    if (format !== 'docker-archive') throw new InvalidArgumentError(`unsupported format "${format}": only docker-archive is written`);
    const engine = await ctx.engine();
    const output = str(values, 'output');
    if (!output && ctx.stdout.isTTY) throw new InvalidArgumentError('refusing to write an archive to a terminal: use -o FILE or redirect');
    try {
      const progress = withProgress('Writing', undefined, ctx.stderr);
      const done = pipeline(progress, output ? createWriteStream(output) : ctx.stdout);
      await engine.images.save(positionals, progress);
      await done;
    } catch (err) {
      if (output) await rm(output, { force: true });
      throw err;
    }
    return 0;
  },
};
export default save;
