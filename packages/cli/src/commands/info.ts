import { ContainerStatus as S } from '@corral/core';
import type { CommandModule } from '../context.js';
import { VERSION } from './version.js';

const info: CommandModule = {
  usage: 'info',
  options: { format: { type: 'string', short: 'f' } },
  async run(ctx) {
    const engine = await ctx.engine();
    const records = await engine.list();
    const count = (s: S) => records.filter((r) => r.state.status === s).length;
    const lines = [
      'host:',
      `  arch: ${process.arch === 'x64' ? 'amd64' : process.arch}`,
      `  os: linux`,
      `  kernel: ${(await import('node:os')).release()}`,
      'plugins:',
      ...engine.kernel.skipped.map((s) => `  skipped: ${s.id} (${s.reason})`),
      'store:',
      `  graphRoot: ${engine.root}`,
      `  runRoot: ${engine.runRoot}`,
      `  containerStore:`,
      `    number: ${records.length}`,
      `    running: ${count(S.Running)}`,
      `    paused: ${count(S.Paused)}`,
      `    stopped: ${records.length - count(S.Running) - count(S.Paused)}`,
      `  imageStore:`,
      `    number: ${(await engine.images.list()).length}`,
      'version:',
      `  Version: ${VERSION}`,
      '',
    ];
    ctx.stdout.write(lines.join('\n'));
    return 0;
  },
};
export default info;
