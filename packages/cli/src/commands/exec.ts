import { DEFAULT_DETACH_KEYS, InvalidArgumentError } from '@corral/core';
import { bool, list, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { bindTerminal } from '../terminal.js';

const exec: CommandModule = {
  usage: 'exec [options] CONTAINER COMMAND [ARG...]',
  options: {
    interactive: { type: 'boolean', short: 'i' },
    tty: { type: 'boolean', short: 't' },
    env: { type: 'string', short: 'e', multiple: true },
    workdir: { type: 'string', short: 'w' },
    user: { type: 'string', short: 'u' },
    detach: { type: 'boolean', short: 'd' },
    'detach-keys': { type: 'string' },
    privileged: { type: 'boolean' },
  },
  stopAtPositional: true,
  async run(ctx, { values, positionals }) {
    const [name, ...command] = positionals;
    if (!name || command.length === 0) throw new InvalidArgumentError('exec needs a container and a command');
    const ctr = await (await ctx.engine()).container(name);
    const tty = bool(values, 'tty');
    const interactive = bool(values, 'interactive');
    const config = {
      command,
      env: list(values, 'env').map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`)),
      workingDir: str(values, 'workdir') ?? '',
      user: str(values, 'user') ?? '',
      terminal: tty,
      attachStdin: interactive,
      privileged: bool(values, 'privileged'),
      detachKeys: str(values, 'detach-keys') ?? DEFAULT_DETACH_KEYS,
    };
    if (bool(values, 'detach')) {
      const id = await ctr.execCreate(config);
      await ctr.execStart(id);
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    const sessionId = await ctr.execCreate(config);
    const restore = tty && interactive ? bindTerminal(ctx.stdin, ctx.stdout, (size) => ctr.execResize(sessionId, size)) : () => {};
    try {
      return await ctr.execStartAndAttach(sessionId, {
        stdout: ctx.stdout,
        stderr: ctx.stderr,
        ...(interactive ? { stdin: ctx.stdin } : {}),
      });
    } finally {
      restore();
      if (interactive) ctx.stdin.pause();
      await ctr.execRemove(sessionId, true).catch(() => undefined);
    }
  },
};
export default exec;
