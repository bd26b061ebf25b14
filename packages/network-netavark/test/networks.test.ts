import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnv, type TestEnv } from './helpers/env.js';

describe('network definitions', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await createEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('lists the default network, created on first use', async () => {
    const list = await env.backend.listNetworks();
    expect(list.map((n) => n.name)).toEqual([env.defaultNetwork]);
    const def = await env.backend.inspectNetwork(env.defaultNetwork);
    expect(def).toMatchObject({ driver: 'bridge', interface: `${env.prefix}d`, dnsEnabled: false, subnets: [{ subnet: env.defaultSubnet }] });
    await expect(env.backend.removeNetwork(env.defaultNetwork)).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it("creates user networks with their own bridge and a free /24, never podman's 10.88.0.0/16", async () => {
    const a = await env.backend.createNetwork({ name: 'net-a', labels: { team: 'x' } });
    const b = await env.backend.createNetwork({ name: 'net-b' });
    expect(a.interface).toBe(`${env.prefix}1`);
    expect(b.interface).toBe(`${env.prefix}2`);
    expect(a.subnets[0]!.subnet).not.toBe(b.subnets[0]!.subnet);
    expect(a.subnets[0]!.subnet).not.toBe(env.defaultSubnet);
    expect(a.subnets[0]!.gateway).toBe(a.subnets[0]!.subnet.replace('.0/24', '.1'));
    expect(a).toMatchObject({ dnsEnabled: true, internal: false, labels: { team: 'x' } });
    expect((await env.backend.inspectNetwork(a.id.slice(0, 12))).name).toBe('net-a');
    expect((await env.backend.listNetworks()).map((n) => n.name).sort()).toEqual([env.defaultNetwork, 'net-a', 'net-b'].sort());
    await env.backend.removeNetwork('net-a');
    await expect(env.backend.inspectNetwork('net-a')).rejects.toMatchObject({ code: 'NO_SUCH_NETWORK' });
    await expect(env.backend.removeNetwork('net-a')).rejects.toMatchObject({ code: 'NO_SUCH_NETWORK' });
  });

  it('takes subnet, gateway, IP range and bridge name, and checks them', async () => {
    const base = env.subnetPool.split('.').slice(0, 2).join('.');
    const n = await env.backend.createNetwork({
      name: 'custom',
      subnet: `${base}.200.0/24`,
      gateway: `${base}.200.254`,
      ipRange: `${base}.200.128/25`,
      interfaceName: `${env.prefix}x`,
      internal: true,
      dnsEnabled: false,
    });
    expect(n.subnets).toEqual([{ subnet: `${base}.200.0/24`, gateway: `${base}.200.254`, ipRange: `${base}.200.128/25` }]);
    expect(n.interface).toBe(`${env.prefix}x`);
    await expect(env.backend.createNetwork({ name: 'custom' })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
    await expect(env.backend.createNetwork({ name: 'over', subnet: `${base}.200.0/25` })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
    await expect(env.backend.createNetwork({ name: 'podman', subnet: '10.88.3.0/24' })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
    await expect(env.backend.createNetwork({ name: 'bad', subnet: `${base}.201.1/24` })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(env.backend.createNetwork({ name: 'gw', subnet: `${base}.202.0/24`, gateway: '192.0.2.1' })).rejects.toMatchObject({
      code: 'INVALID_ARG',
    });
    await expect(env.backend.createNetwork({ name: 'bad name!' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(env.backend.createNetwork({ name: 'lo', interfaceName: 'lo' })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
    await expect(env.backend.createNetwork({ name: env.defaultNetwork })).rejects.toMatchObject({ code: 'NETWORK_EXISTS' });
  });

  it('hands out addresses from the IP range only', async () => {
    const base = env.subnetPool.split('.').slice(0, 2).join('.');
    const n = await env.backend.createNetwork({ name: 'ranged', subnet: `${base}.210.0/24`, ipRange: `${base}.210.64/30` });
    const { AddressAllocator } = await import('../src/allocator.js');
    const alloc = new AddressAllocator(env.store.networks);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await alloc.claimNext(n, `ctr${i}`));
    expect(got).toEqual([`${base}.210.64`, `${base}.210.65`, `${base}.210.66`, `${base}.210.67`]);
    await expect(alloc.claimNext(n, 'ctr9')).rejects.toThrow(/no free address/);
  });
});
