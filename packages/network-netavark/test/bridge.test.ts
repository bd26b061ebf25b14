import { access, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNetavarkStatus, networkChainHash } from '../src/index.js';
import { containerId, createEnv, firewallLines, inNetns, interfaces, request, spawnInNetns, type TestEnv } from './helpers/env.js';

// Real netavark, aardvark-dns and namespaces. Traffic stays on loopback and inside the
// namespaces these tests create.
describe('bridge networks on netavark', () => {
  let env: TestEnv;
  let firewallBefore: string[];
  beforeAll(async () => {
    env = await createEnv();
    firewallBefore = await firewallLines(env.markers());
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('lets two namespaces on a user-defined network reach each other by name', async () => {
    const net = await env.backend.createNetwork({ name: `app-${env.prefix}` });
    expect(net.dnsEnabled).toBe(true);
    const [idA, idB] = [containerId(), containerId()];
    const a = await env.backend.setup(request(idA, { network: net.name, attachments: [{ network: net.name, aliases: ['web'] }] }, 'alpha'));
    const b = await env.backend.setup(request(idB, { network: net.name }, 'beta'));
    try {
      const resolv = await readFile(b.etcFiles.resolvConf!, 'utf8');
      expect(resolv).toContain(`nameserver ${net.subnets[0]!.gateway}`);
      expect(resolv).toContain('search dns.podman');

      const server = spawnInNetns(a.netnsPath, 'echo hello-from-alpha | busybox nc -l -p 8080');
      const lookup = await inNetns(b.netnsPath, b.etcFiles, 'busybox nslookup alpha && busybox nslookup web');
      expect(lookup.stdout).toContain(ipOf(a.status));
      let reply = '';
      for (let i = 0; i < 50 && !reply.includes('hello'); i++) {
        reply = (await inNetns(b.netnsPath, b.etcFiles, 'busybox nc -w 2 alpha 8080 </dev/null')).stdout;
        if (!reply.includes('hello')) await new Promise((r) => setTimeout(r, 100));
      }
      expect(reply).toContain('hello-from-alpha');
      await server;
    } finally {
      await env.backend.teardown({ ...request(idA, { network: net.name }), netnsPath: a.netnsPath, status: a.status });
      await env.backend.teardown({ ...request(idB, { network: net.name }), netnsPath: b.netnsPath, status: b.status });
    }
    await expect(access(a.netnsPath)).rejects.toThrow();
    expect(await interfaces(env.prefix)).toEqual([]);
    await env.backend.removeNetwork(net.name);
  });

  it('answers a mapped port on the host loopback', async () => {
    const id = containerId();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const req = request(id, { ports: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp', range: 1 }] });
    const r = await env.backend.setup(req);
    try {
      expect(ipOf(r.status).startsWith(env.defaultSubnet.split('.').slice(0, 3).join('.'))).toBe(true);
      const server = spawnInNetns(r.netnsPath, 'echo mapped-ok | busybox nc -l -p 80');
      let reply = '';
      for (let i = 0; i < 50 && !reply.includes('mapped-ok'); i++) {
        const { execa } = await import('execa');
        reply = (await execa('/bin/busybox', ['nc', '-w', '2', '127.0.0.1', String(port)], { reject: false, input: '' })).stdout;
        if (!reply.includes('mapped-ok')) await new Promise((res) => setTimeout(res, 100));
      }
      expect(reply).toContain('mapped-ok');
      await server;
      expect((await firewallLines([String(port)])).length).toBeGreaterThan(0);
    } finally {
      await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    }
    expect(await firewallLines([`--dport ${port}`, `dport ${port}`])).toEqual([]);
  });

  it('honours a static IP and MAC, and refuses the same IP twice', async () => {
    const net = await env.backend.createNetwork({ name: `static-${env.prefix}`, dnsEnabled: false });
    const base = net.subnets[0]!.subnet.split('/')[0]!.split('.').slice(0, 3).join('.');
    const ip = `${base}.77`;
    const id = containerId();
    const req = request(id, { attachments: [{ network: net.name, staticIps: [ip], staticMac: '02:42:ac:11:00:77' }] });
    const r = await env.backend.setup(req);
    try {
      expect(ipOf(r.status)).toBe(ip);
      const shown = await inNetns(r.netnsPath, {}, 'busybox ip -o addr show eth0; busybox ip -o link show eth0');
      expect(shown.stdout).toContain(`${ip}/24`);
      expect(shown.stdout).toContain('02:42:ac:11:00:77');
      expect(await readFile(r.etcFiles.hosts!, 'utf8')).toContain(`${ip}\t${req.hostname}`);
      await expect(env.backend.setup(request(containerId(), { attachments: [{ network: net.name, staticIps: [ip] }] }))).rejects.toMatchObject({
        code: 'NETWORK_EXISTS',
      });
      await expect(env.backend.removeNetwork(net.name)).rejects.toMatchObject({ code: 'NETWORK_IN_USE' });
    } finally {
      await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    }
    await env.backend.removeNetwork(net.name);
  });

  it('joins several networks at once, one interface each', async () => {
    const one = await env.backend.createNetwork({ name: `one-${env.prefix}` });
    const two = await env.backend.createNetwork({ name: `two-${env.prefix}` });
    const id = containerId();
    const req = request(id, { attachments: [{ network: one.name }, { network: two.name }] });
    const r = await env.backend.setup(req);
    try {
      const shown = await inNetns(r.netnsPath, {}, 'busybox ip -o -4 addr show');
      expect(shown.stdout).toMatch(/eth0 .*inet /);
      expect(shown.stdout).toMatch(/eth1 .*inet /);
      const resolv = await readFile(r.etcFiles.resolvConf!, 'utf8');
      expect(resolv).toContain(`nameserver ${one.subnets[0]!.gateway}`);
      expect(resolv).toContain(`nameserver ${two.subnets[0]!.gateway}`);
    } finally {
      await env.backend.teardown({ ...req, netnsPath: r.netnsPath, status: r.status });
    }
    await env.backend.removeNetwork(one.name);
    await env.backend.removeNetwork(two.name);
  });

  it('gives a restored container its checkpointed IP and MAC back, unless told to ignore them', async () => {
    const net = await env.backend.createNetwork({ name: `rs-${env.prefix}`, dnsEnabled: false });
    const id = containerId();
    const req = request(id, { network: net.name });
    const first = await env.backend.setup(req);
    await env.backend.teardown({ ...req, netnsPath: first.netnsPath, status: first.status });

    const again = await env.backend.setup({ ...req, previous: { status: first.status, keepIps: true, keepMacs: true } });
    expect(ipOf(again.status)).toBe(ipOf(first.status));
    expect(macOf(again.status)).toBe(macOf(first.status));
    await env.backend.teardown({ ...req, netnsPath: again.netnsPath, status: again.status });

    // Someone else took the address meanwhile: keeping it fails, ignoring it picks another.
    const other = request(containerId(), { network: net.name });
    const taker = await env.backend.setup(other);
    expect(ipOf(taker.status)).toBe(ipOf(first.status));
    await expect(env.backend.setup({ ...req, previous: { status: first.status, keepIps: true, keepMacs: true } })).rejects.toMatchObject({
      code: 'NETWORK_EXISTS',
    });
    const fresh = await env.backend.setup({ ...req, previous: { status: first.status, keepIps: false, keepMacs: false } });
    expect(ipOf(fresh.status)).not.toBe(ipOf(first.status));
    expect(macOf(fresh.status)).not.toBe(macOf(first.status));
    await env.backend.teardown({ ...req, netnsPath: fresh.netnsPath, status: fresh.status });
    await env.backend.teardown({ ...other, netnsPath: taker.netnsPath, status: taker.status });
    await env.backend.removeNetwork(net.name);
  });

  it('removes the empty port chain netavark 1.4 leaves when the last container has no ports', async () => {
    const net = await env.backend.createNetwork({ name: `dn-${env.prefix}` });
    const withPorts = request(containerId(), {
      network: net.name,
      ports: [{ hostIp: '127.0.0.1', hostPort: 20_000 + Math.floor(Math.random() * 20_000), containerPort: 80, protocol: 'tcp', range: 1 }],
    });
    const without = request(containerId(), { network: net.name });
    const a = await env.backend.setup(withPorts);
    const b = await env.backend.setup(without);
    const chain = `NETAVARK-DN-${networkChainHash(net.name)}`;
    expect((await firewallLines([chain])).length).toBeGreaterThan(0);
    await env.backend.teardown({ ...withPorts, netnsPath: a.netnsPath, status: a.status });
    await env.backend.teardown({ ...without, netnsPath: b.netnsPath, status: b.status });
    expect(await firewallLines([chain])).toEqual([]);
    await env.backend.removeNetwork(net.name);
  });

  it('leaves no namespace, interface or firewall rule behind', async () => {
    expect(await interfaces(env.prefix)).toEqual([]);
    expect(await firewallLines(env.markers())).toEqual(firewallBefore);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(env.backend.netnsDir)).toEqual([]);
  });
});

function macOf(status: unknown): string {
  if (!isNetavarkStatus(status)) throw new Error('not a netavark status');
  return Object.values(Object.values(status.result)[0]!.interfaces!)[0]!.mac_address;
}

function ipOf(status: unknown): string {
  if (!isNetavarkStatus(status)) throw new Error('not a netavark status');
  const first = Object.values(status.result)[0]!;
  return Object.values(first.interfaces!)[0]!.subnets![0]!.ipnet.split('/')[0]!;
}
