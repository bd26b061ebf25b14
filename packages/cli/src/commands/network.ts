import { CorralError, ErrorCode, InvalidArgumentError, describeError, type Engine, type NetworkBackend } from '@corral/core';
import { bool, list, str } from '../args.js';
import type { CliContext, CommandModule } from '../context.js';
import { formatRows } from '../format/output.js';
import { compileTemplate } from '../format/go-template.js';

async function backend(ctx: CliContext): Promise<{ engine: Engine; network: NetworkBackend }> {
  const engine = await ctx.engine();
  if (!engine.network) {
    throw new CorralError(ErrorCode.NotSupported, 'no network plugin is available in this distribution');
  }
  return { engine, network: engine.network };
}

export const networkCreate: CommandModule = {
  usage: 'network create [options] [NAME]',
  options: {
    subnet: { type: 'string' },
    gateway: { type: 'string' },
    'ip-range': { type: 'string' },
    internal: { type: 'boolean' },
    label: { type: 'string', multiple: true },
    'disable-dns': { type: 'boolean' },
    driver: { type: 'string', short: 'd' },
    'interface-name': { type: 'string' },
  },
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new InvalidArgumentError('network create takes at most one name');
    const driver = str(values, 'driver') ?? 'bridge';
    if (driver !== 'bridge') throw new InvalidArgumentError(`unsupported network driver "${driver}": only bridge`);
    const { network } = await backend(ctx);
    const subnet = str(values, 'subnet');
    const gateway = str(values, 'gateway');
    const ipRange = str(values, 'ip-range');
    const iface = str(values, 'interface-name');
    const created = await network.createNetwork({
      name: positionals[0] ?? `corral${Date.now().toString(36)}`,
      ...(subnet ? { subnet } : {}),
      ...(gateway ? { gateway } : {}),
      ...(ipRange ? { ipRange } : {}),
      ...(iface ? { interfaceName: iface } : {}),
      internal: bool(values, 'internal'),
      dnsEnabled: !bool(values, 'disable-dns'),
      labels: Object.fromEntries(list(values, 'label').map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')])),
    });
    ctx.stdout.write(`${created.name}\n`);
    return 0;
  },
};

export const networkLs: CommandModule = {
  usage: 'network ls [options]',
  options: { format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, 'no-trunc': { type: 'boolean' } },
  async run(ctx, { values }) {
    const { network } = await backend(ctx);
    const nets = await network.listNetworks();
    if (bool(values, 'quiet')) {
      ctx.stdout.write(nets.map((n) => `${n.name}\n`).join(''));
      return 0;
    }
    const rows = nets.map((n) => ({
      ID: bool(values, 'no-trunc') ? n.id : n.id.slice(0, 12),
      Name: n.name,
      Driver: n.driver,
      Subnets: n.subnets.map((s) => s.subnet).join(','),
      Labels: n.labels,
    }));
    const format = str(values, 'format') ?? 'table {{.ID}}\t{{.Name}}\t{{.Driver}}';
    ctx.stdout.write(formatRows(rows, format, { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Subnets: 'SUBNETS' }));
    return 0;
  },
};

export const networkInspect: CommandModule = {
  usage: 'network inspect [options] NAME [NAME...]',
  options: { format: { type: 'string', short: 'f' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new InvalidArgumentError('network inspect needs a network name');
    const { network } = await backend(ctx);
    const found = [];
    let failed = false;
    for (const name of positionals) {
      try {
        const n = await network.inspectNetwork(name);
        found.push({
          name: n.name,
          id: n.id,
          driver: n.driver,
          network_interface: n.interface,
          created: n.createdAt,
          subnets: n.subnets.map((s) => ({ subnet: s.subnet, gateway: s.gateway, ...(s.ipRange ? { lease_range: s.ipRange } : {}) })),
          ipv6_enabled: false,
          internal: n.internal,
          dns_enabled: n.dnsEnabled,
          labels: n.labels,
          ipam_options: { driver: 'host-local' },
        });
      } catch (err) {
        failed = true;
        ctx.stderr.write(`Error: ${describeError(err)}\n`);
      }
    }
    const format = str(values, 'format');
    if (format) {
      const t = compileTemplate(format);
      ctx.stdout.write(found.map((f) => `${t(f)}\n`).join(''));
    } else {
      ctx.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    }
    return failed ? 125 : 0;
  },
};

export const networkRm: CommandModule = {
  usage: 'network rm [options] NAME [NAME...]',
  options: { force: { type: 'boolean', short: 'f' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new InvalidArgumentError('network rm needs a network name');
    const { engine, network } = await backend(ctx);
    let status = 0;
    for (const name of positionals) {
      try {
        // As with podman, a network is in use while any container is configured on it,
        // running or not; --force removes those containers first.
        const target = await network.inspectNetwork(name);
        const users = (await engine.list()).filter((r) => r.config.network.attachments.some((a) => a.network === target.name));
        if (users.length > 0 && !bool(values, 'force')) {
          throw new CorralError(
            ErrorCode.NetworkInUse,
            `network ${target.name} is being used by containers: ${users.map((u) => u.config.name).join(', ')}`,
          );
        }
        for (const r of users) await engine.removeContainer(r.config.id, { force: true });
        await network.removeNetwork(name, { force: bool(values, 'force') });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        ctx.stderr.write(`Error: ${describeError(err)}\n`);
        status = (err as { code?: string }).code === ErrorCode.NoSuchNetwork ? 1 : 2;
      }
    }
    return status;
  },
};

export const networkPrune: CommandModule = {
  usage: 'network prune [options]',
  options: { force: { type: 'boolean', short: 'f' } },
  async run(ctx) {
    const { engine, network } = await backend(ctx);
    const used = new Set((await engine.list()).flatMap((r) => r.config.network.attachments.map((a) => a.network)));
    for (const n of await network.listNetworks()) {
      if (n.name === 'corral' || used.has(n.name)) continue;
      await network.removeNetwork(n.name);
      ctx.stdout.write(`${n.name}\n`);
    }
    return 0;
  },
};
