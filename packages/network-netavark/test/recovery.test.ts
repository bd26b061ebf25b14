import { access, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerStatus, initialState } from '@corral/core';
import { sampleConfig } from '@corral/testkit/suites/state-store';
import { removeNetns } from '../src/index.js';
import { containerId, createEnv, firewallLines, interfaces, request, type TestEnv } from './helpers/env.js';

describe('teardown and refresh after crashes', () => {
  let env: TestEnv;
  let before: string[];
  beforeAll(async () => {
    env = await createEnv({ refreshGraceMs: 0 });
    before = await firewallLines(env.markers());
  });
  afterAll(async () => {
    await env.cleanup();
  });

  const port = () => 20_000 + Math.floor(Math.random() * 20_000);

  it('tears down twice without complaint', async () => {
    const id = containerId();
    const req = request(id, { ports: [{ hostIp: '127.0.0.1', hostPort: port(), containerPort: 80, protocol: 'tcp', range: 1 }] });
    const r = await env.backend.setup(req);
    await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    await env.backend.teardown({ ...req, netnsPath: '', status: null });
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(before);
  });

  it('cleans up firewall rules and the bridge when the namespace vanished first', async () => {
    const id = containerId();
    const req = request(id, { ports: [{ hostIp: '127.0.0.1', hostPort: port(), containerPort: 80, protocol: 'tcp', range: 1 }] });
    const r = await env.backend.setup(req);
    expect((await firewallLines(env.markers())).length).toBeGreaterThan(before.length);
    // As after a crash of whatever held it: the namespace and its veth are gone.
    await removeNetns(r.netnsPath);
    await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(before);
  });

  it('tears down from its own record when the engine died before saving the status', async () => {
    const id = containerId();
    const req = request(id, {});
    const r = await env.backend.setup(req);
    await env.backend.teardown({ ...req, netnsPath: '', status: null });
    await expect(access(r.netnsPath)).rejects.toThrow();
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(before);
  });

  it('refresh repairs leaked setups and addresses, and keeps those a container still uses', async () => {
    const kept = containerId();
    const leaked = containerId();
    const orphan = containerId();
    const keptSetup = await env.backend.setup(request(kept, {}));
    await env.backend.setup(request(leaked, { ports: [{ hostIp: '127.0.0.1', hostPort: port(), containerPort: 80, protocol: 'tcp', range: 1 }] }));
    // The kept container's state holds its namespace; the leaked one's never got saved.
    await env.store.containers.add(sampleConfig({ id: kept, name: 'kept' }), {
      ...initialState(ContainerStatus.Running),
      netnsPath: keptSetup.netnsPath,
      networkStatus: keptSetup.status,
    });
    await env.store.networks.allocate(env.defaultNetwork, orphan, env.defaultSubnet.replace('.0/24', '.200'));
    // A namespace file no record explains (a teardown that died midway).
    const stray = path.join(env.backend.netnsDir, `${containerId()}.teardown`);
    await writeFile(stray, '');
    await execa('unshare', [`--net=${stray}`, 'true']);

    const report = await env.backend.refresh();
    expect(report.tornDown).toEqual([leaked]);
    expect(report.released).toEqual([orphan]);
    expect(await readdir(env.backend.netnsDir)).toEqual([kept]);
    expect((await env.store.networks.allocations(env.defaultNetwork)).map((a) => a.containerId)).toEqual([kept]);
    expect((await interfaces(env.prefix)).length).toBe(2);

    await env.backend.teardown({ ...request(kept, {}), netnsPath: keptSetup.netnsPath, status: keptSetup.status });
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(before);
  });

  it('refresh after a reboot: namespace files that are no longer mounts, stale aardvark pid', async () => {
    const net = await env.backend.createNetwork({ name: `rb-${env.prefix}` });
    const id = containerId();
    const r = await env.backend.setup(request(id, { network: net.name }));
    // What a reboot leaves: the namespace unmounted, the veth, bridge and rules gone.
    await env.backend.teardown({ ...request(id, { network: net.name }), netnsPath: r.netnsPath, status: r.status });
    await env.store.networks.allocate(net.name, id, net.subnets[0]!.subnet.replace('.0/24', '.2'));
    await writeFile(r.netnsPath, '');
    const { SetupRecords } = await import('../src/records.js');
    await new SetupRecords(path.join(env.dir, 'run', 'containers')).write({
      containerId: id,
      netnsPath: r.netnsPath,
      pid: process.pid,
      createdAt: Date.now() - 1000,
      options: (r.status as { options: never }).options,
    });
    // The pid in aardvark's file now belongs to some other process (here one of ours).
    const other = execa('sleep', ['30'], { reject: false });
    const pidFile = path.join(env.backend.configDir, 'aardvark-dns', 'aardvark.pid');
    await writeFile(pidFile, String(other.pid));
    const report = await env.backend.refresh();
    other.kill();
    await other;
    expect(report.tornDown).toEqual([id]);
    await expect(access(pidFile)).rejects.toThrow();
    expect(await readdir(env.backend.netnsDir)).toEqual([]);
    expect(await env.store.networks.allocations(net.name)).toEqual([]);
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(before);
    await env.backend.removeNetwork(net.name);
  });

  it('creates nothing for a container outside bridge mode', async () => {
    for (const mode of ['none', 'host'] as const) {
      const id = containerId();
      await expect(env.backend.setup(request(id, { mode, attachments: [] }))).rejects.toMatchObject({ code: 'INVALID_ARG' });
    }
    expect(await readdir(env.backend.netnsDir)).toEqual([]);
    expect(await interfaces(env.prefix)).toEqual([]);
  });

  it('undoes a setup that failed halfway (a static IP outside the subnet on the second network)', async () => {
    const id = containerId();
    const other = await env.backend.createNetwork({ name: `half-${env.prefix}` });
    const req = request(id, { attachments: [{ network: env.defaultNetwork }, { network: other.name, staticIps: ['192.0.2.9'] }] });
    await expect(env.backend.setup(req)).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(await env.store.networks.allocations(env.defaultNetwork)).toEqual([]);
    expect(await readdir(env.backend.netnsDir)).toEqual([]);
    await env.backend.removeNetwork(other.name);
  });
});
