import { InvalidArgumentError, describeError, parseStatus } from '@corral/core';
import { list } from '../args.js';
import type { CommandModule } from '../context.js';

const wait: CommandModule = {
  usage: 'wait [options] CONTAINER [CONTAINER...]',
  options: { condition: { type: 'string', multiple: true } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new InvalidArgumentError('at least one container name or id must be given');
    const conditions = list(values, 'condition').map(parseStatus);
    const engine = await ctx.engine();
    let status = 0;
    for (const name of positionals) {
      try {
        const ctr = await engine.container(name);
        const result = conditions.length ? await ctr.waitForCondition(conditions) : { exitCode: await ctr.wait() };
        ctx.stdout.write(`${result.exitCode ?? -1}\n`);
      } catch (err) {
        ctx.stderr.write(`Error: ${describeError(err)}\n`);
        status = 125;
      }
    }
    return status;
  },
};
export default wait;
