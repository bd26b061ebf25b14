import { InvalidArgumentError } from '@corral/core';
import type { CommandModule } from '../context.js';

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published ports, as podman prints them. */
const port: CommandModule = {
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  options: {},
  async run(ctx, { positionals }) {
    const [name, filter] = positionals;
    if (!name || positionals.length > 2) throw new InvalidArgumentError('port takes a container and an optional port');
    const ctr = await (await ctx.engine()).container(name);
    const [fPort, fProto = 'tcp'] = filter ? filter.split('/') : [];
    for (const p of ctr.config.network.ports) {
      for (let i = 0; i < p.range; i++) {
        const cport = p.containerPort + i;
        if (fPort !== undefined && (Number(fPort) !== cport || fProto !== p.protocol)) continue;
        const host = `${p.hostIp || '0.0.0.0'}:${p.hostPort + i}`;
        ctx.stdout.write(filter ? `${host}\n` : `${cport}/${p.protocol} -> ${host}\n`);
      }
    }
    return 0;
  },
};
export default port;
