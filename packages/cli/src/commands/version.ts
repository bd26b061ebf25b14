import type { CommandModule } from '../context.js';

export const VERSION = '0.1.0';
const API_VERSION = '1.44';

const version: CommandModule = {
  usage: 'version',
  options: { format: { type: 'string', short: 'f' } },
  async run(ctx) {
    ctx.stdout.write(
      [
        `Client:       Corral Engine`,
        `Version:      ${VERSION}`,
        `API Version:  ${API_VERSION}`,
        `Node Version: ${process.version}`,
        `OS/Arch:      linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
export default version;
