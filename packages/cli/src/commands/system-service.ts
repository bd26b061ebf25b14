import { InvalidArgumentError } from '@corral/core';
import { DEFAULT_URI, DockerApiService } from '@corral/api-docker';
import { int } from '../args.js';
import type { CommandModule } from '../context.js';

/** podman's default: a service nobody talks to for five seconds goes away. */
const DEFAULT_IDLE_SECONDS = 5;

/**
 * `corral system service [--time N] [URI]`: the Docker-compatible API on a unix
 * socket. conmon's exit command is this very bundle's `container cleanup` (the CLI's
 * engine sets it), so containers that exit after the service has gone are cleaned up.
 */
const systemService: CommandModule = {
  usage: 'system service [options] [URI]',
  options: { time: { type: 'string', short: 't' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new InvalidArgumentError(`system service takes at most one URI, got ${positionals.length}`);
    const seconds = int(values, 'time', 0) ?? DEFAULT_IDLE_SECONDS;
    const uri = positionals[0] ?? DEFAULT_URI;
    const engine = await ctx.engine();
    const service = new DockerApiService({ engine, idleTimeoutMs: seconds * 1000 });
    await service.listen(uri);
    const stop = () => void service.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await service.closed;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
export default systemService;
