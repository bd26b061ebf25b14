import { ContainerStatus as S, InvalidArgumentError, parseEventTime, readLog } from '@corral/core';
import { bool, int, str } from '../args.js';
import type { CommandModule } from '../context.js';

const logs: CommandModule = {
  usage: 'logs [options] CONTAINER',
  options: {
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    until: { type: 'string' },
    tail: { type: 'string', short: 'n' },
    timestamps: { type: 'boolean', short: 't' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new InvalidArgumentError('logs takes exactly one container');
    const ctr = await (await ctx.engine()).container(positionals[0]!);
    const path = ctr.logPath();
    if (!path) throw new InvalidArgumentError(`container ${ctr.name} has logging turned off (--log-driver none)`);
    const since = str(values, 'since');
    const until = str(values, 'until');
    const tail = int(values, 'tail', -1);
    const timestamps = bool(values, 'timestamps');
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    let lineStart = true;
    try {
      for await (const record of readLog(path, {
        ...(since ? { since: parseEventTime(since) } : {}),
        ...(until ? { until: parseEventTime(until) } : {}),
        ...(tail !== undefined && tail >= 0 ? { tail } : {}),
        follow: bool(values, 'follow'),
        done: async () => {
          const status = (await ctr.sync()).status;
          return status !== S.Running && status !== S.Paused && status !== S.Stopping && status !== S.Created;
        },
        signal: abort.signal,
      })) {
        const out = record.stream === 'stderr' ? ctx.stderr : ctx.stdout;
        const prefix = timestamps && lineStart ? `${record.time} ` : '';
        out.write(`${prefix}${record.text}${record.partial ? '' : '\n'}`);
        lineStart = !record.partial;
      }
    } finally {
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
};
export default logs;
