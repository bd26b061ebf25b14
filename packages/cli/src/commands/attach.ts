import { DEFAULT_DETACH_KEYS, InvalidArgumentError } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { bindTerminal } from '../terminal.js';

const attach: CommandModule = {
  usage: 'attach [options] CONTAINER',
  options: { 'no-stdin': { type: 'boolean' }, 'detach-keys': { type: 'string' }, 'sig-proxy': { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new InvalidArgumentError('attach takes exactly one container');
    const ctr = await (await ctx.engine()).container(positionals[0]!);
    const config = ctr.config;
    const withStdin = config.stdin && !bool(values, 'no-stdin');
    const restore = config.terminal && withStdin ? bindTerminal(ctx.stdin, ctx.stdout, (size) => ctr.attachResize(size)) : () => {};
    try {
      const end = await ctr.attach(
        { stdout: ctx.stdout, stderr: ctx.stderr, ...(withStdin ? { stdin: ctx.stdin } : {}) },
        { detachKeys: str(values, 'detach-keys') ?? DEFAULT_DETACH_KEYS },
      );
      if (end.reason === 'detached') return 0;
    } finally {
      restore();
      if (withStdin) ctx.stdin.pause();
    }
    return ctr.wait();
  },
};
export default attach;
