import { DEFAULT_DETACH_KEYS, ErrorCode, hasCode, type AttachStreams, type Container } from '@corral/core';
import { bool, str } from '../args.js';
import type { CommandModule } from '../context.js';
import { bindTerminal, proxySignals } from '../terminal.js';
import { CREATE_OPTIONS, toCreateOptions } from './create-options.js';

const run: CommandModule = {
  usage: 'run [options] IMAGE [COMMAND [ARG...]]',
  options: CREATE_OPTIONS,
  stopAtPositional: true,
  async run(ctx, { values, positionals }) {
    const engine = await ctx.engine();
    const ctr = await engine.createContainer(toCreateOptions(values, positionals));
    if (bool(values, 'detach')) {
      await startOrDiscard(ctr, bool(values, 'rm'), () => ctr.start());
      ctx.stdout.write(`${ctr.id}\n`);
      return 0;
    }
    return runAttached(ctx, ctr, values);
  },
};
export default run;

/** A container that cannot start is removed when the user asked for --rm. */
async function startOrDiscard<T>(ctr: Container, autoRemove: boolean, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (autoRemove) await ctr.remove({ force: true }).catch(() => undefined);
    throw err;
  }
}

export async function runAttached(
  ctx: import('../context.js').CliContext,
  ctr: Container,
  values: import('../args.js').Values,
): Promise<number> {
  const tty = bool(values, 'tty');
  const interactive = bool(values, 'interactive');
  const autoRemove = bool(values, 'rm');
  const streams: AttachStreams = { stdout: ctx.stdout, stderr: ctx.stderr, ...(interactive ? { stdin: ctx.stdin } : {}) };
  const detachKeys = str(values, 'detach-keys') ?? DEFAULT_DETACH_KEYS;
  const restoreTerminal = tty && interactive ? bindTerminal(ctx.stdin, ctx.stdout, (size) => ctr.attachResize(size)) : () => {};
  const stopProxy = !tty && values['sig-proxy'] !== false ? proxySignals(ctr) : () => {};
  let detached = false;
  try {
    const size = tty && ctx.stdout.isTTY ? { width: ctx.stdout.columns, height: ctx.stdout.rows } : undefined;
    const { attached } = await startOrDiscard(ctr, autoRemove, () => ctr.startAndAttach(streams, { detachKeys, ...(size ? { size } : {}) }));
    detached = (await attached).reason === 'detached';
  } finally {
    restoreTerminal();
    stopProxy();
    if (interactive) ctx.stdin.pause();
  }
  if (detached) {
    ctx.stderr.write(`\nDetached from container ${ctr.id.slice(0, 12)}\n`);
    return 0;
  }
  const code = await ctr.wait();
  // Clean up here rather than waiting for conmon's exit command; whichever comes
  // second finds nothing left to do.
  try {
    if (autoRemove) await ctr.remove({ force: true });
    else await ctr.cleanup();
  } catch (err) {
    if (!hasCode(err, ErrorCode.CtrRemoved) && !hasCode(err, ErrorCode.NoSuchCtr)) throw err;
  }
  return code;
}
