import type { CommandModule } from '../context.js';
import { CREATE_OPTIONS, toCreateOptions } from './create-options.js';

const create: CommandModule = {
  usage: 'create [options] IMAGE [COMMAND [ARG...]]',
  options: CREATE_OPTIONS,
  stopAtPositional: true,
  async run(ctx, { values, positionals }) {
    const engine = await ctx.engine();
    const ctr = await engine.createContainer(toCreateOptions(values, positionals));
    ctx.stdout.write(`${ctr.id}\n`);
    return 0;
  },
};
export default create;
