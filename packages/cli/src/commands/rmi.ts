import { ErrorCode, InvalidArgumentError, describeError, hasCode } from '@corral/core';
import { bool } from '../args.js';
import type { CommandModule } from '../context.js';

const rmi: CommandModule = {
  usage: 'rmi [options] IMAGE [IMAGE...]',
  options: { force: { type: 'boolean', short: 'f' }, all: { type: 'boolean', short: 'a' } },
  async run(ctx, { values, positionals }) {
    const engine = await ctx.engine();
    const all = bool(values, 'all');
    if (all === positionals.length > 0) throw new InvalidArgumentError('give image names, or --all, not both');
    const targets = all ? (await engine.images.list()).map((i) => i.id) : positionals;
    // podman's exit codes: 1 when an image was not found, 2 when one is in use.
    let status = 0;
    for (const ref of targets) {
      try {
        const result = await engine.images.remove(ref, { force: bool(values, 'force') });
        for (const u of result.untagged) ctx.stdout.write(`Untagged: ${u}\n`);
        for (const d of result.deleted) ctx.stdout.write(`Deleted: ${d}\n`);
      } catch (err) {
        ctx.stderr.write(`Error: ${describeError(err)}\n`);
        const code = hasCode(err, ErrorCode.NoSuchImage) ? 1 : hasCode(err, ErrorCode.ImageInUse) ? 2 : 125;
        status = status === 0 ? code : Math.max(status, code);
      }
    }
    return status;
  },
};
export default rmi;
