import { InvalidArgumentError } from '@corral/core';
import type { CommandModule } from '../context.js';

const tag: CommandModule = {
  usage: 'tag IMAGE TARGET [TARGET...]',
  options: {},
  async run(ctx, { positionals }) {
    const [image, ...targets] = positionals;
    if (!image || targets.length === 0) throw new InvalidArgumentError('tag needs an image and at least one new name');
    const engine = await ctx.engine();
    for (const target of targets) await engine.images.tag(image, target);
    return 0;
  },
};
export default tag;
