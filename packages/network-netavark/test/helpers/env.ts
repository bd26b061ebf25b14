import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { silentLogger, type ContainerNetworkConfig, type NetworkAttachment, type NetworkSetupRequest, type PortMapping } from '@corral/core';
import { MemoryStateStore } from '@corral/testkit/fakes/memory-state-store';
import { NetavarkNetworkBackend, networkChainHash } from '../../src/index.js';

export const BUSYBOX = '/bin/busybox';

let defaultNetworkName = '';

/**
 * A second octet for this env's subnets (10.X.0.0/16), reserved by a marker file so test
 * files running at once never share one, and skipping any the host already routes.
 */
async function reserveOctet(): Promise<{ octet: number; release: () => Promise<void> }> {
  const routed = (await execa('ip', ['-4', 'route', 'show'], { reject: false })).stdout;
  const start = Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const octet = 150 + ((start + i) % 100);
    if (routed.includes(`10.${octet}.`)) continue;
    const marker = path.join(tmpdir(), `corral-netavark-octet-${octet}`);
    try {
      await writeFile(marker, String(process.pid), { flag: 'wx' });
    } catch {
      continue;
    }
    return { octet, release: () => rm(marker, { force: true }) };
  }
  throw new Error('no free 10.X.0.0/16 for the test networks');
}

export interface TestEnv {
  dir: string;
  store: MemoryStateStore;
  backend: NetavarkNetworkBackend;
  /** Distinct per env: bridges are <prefix>N, the default bridge <prefix>d. */
  prefix: string;
  defaultNetwork: string;
  defaultSubnet: string;
  subnetPool: string;
  /** Strings that mark firewall rules and chains as ours. */
  markers(): string[];
  cleanup(): Promise<void>;
}

export async function createEnv(options: { refreshGraceMs?: number; netavarkPath?: string } = {}): Promise<TestEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'corral-netavark-'));
  const store = new MemoryStateStore();
  const tag = randomBytes(3).toString('hex');
  const prefix = `cv${tag}`;
  const { octet, release } = await reserveOctet();
  const defaultNetwork = `dflt-${tag}`;
  defaultNetworkName = defaultNetwork;
  const defaultSubnet = `10.${octet}.0.0/24`;
  const subnetPool = `10.${octet}.0.0/16`;
  const backend = new NetavarkNetworkBackend({
    store,
    runDir: path.join(dir, 'run'),
    logger: silentLogger,
    defaultNetwork,
    defaultSubnet,
    defaultInterface: `${prefix}d`,
    interfacePrefix: prefix,
    subnetPool,
    ...(options.refreshGraceMs !== undefined ? { refreshGraceMs: options.refreshGraceMs } : {}),
    ...(options.netavarkPath ? { netavarkPath: options.netavarkPath } : {}),
  });
  const env: TestEnv = {
    dir,
    store,
    backend,
    prefix,
    defaultNetwork,
    defaultSubnet,
    subnetPool,
    markers: () => [`10.${octet}.`, ...namesSeen.map(networkChainHash)],
    cleanup: async () => {
      // Whatever a failed test left: tear down through the backend, then the directory.
      for (const file of await readdir(backend.netnsDir).catch(() => [] as string[])) {
        const id = file.replace(/\.teardown$/, '');
        await backend
          .teardown({ ...request(id, {}), netnsPath: path.join(backend.netnsDir, file), status: null })
          .catch(() => undefined);
      }
      await backend.refresh().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      await release();
    },
  };
  const namesSeen: string[] = [defaultNetwork];
  const create = backend.createNetwork.bind(backend);
  backend.createNetwork = async (o) => {
    namesSeen.push(o.name);
    return create(o);
  };
  return env;
}

export function containerId(): string {
  return randomBytes(32).toString('hex');
}

export function request(
  id: string,
  net: { attachments?: Partial<NetworkAttachment>[]; ports?: PortMapping[]; network?: string } & Partial<Omit<ContainerNetworkConfig, 'attachments' | 'ports'>>,
  name = `c-${id.slice(0, 6)}`,
): NetworkSetupRequest {
  const given: Partial<NetworkAttachment>[] = net.attachments ?? [{ network: net.network ?? defaultNetworkName }];
  const attachments = given.map((a) => ({
    network: a.network ?? defaultNetworkName,
    staticIps: a.staticIps ?? [],
    staticMac: a.staticMac ?? '',
    aliases: a.aliases ?? [],
  }));
  return {
    containerId: id,
    containerName: name,
    hostname: name,
    network: {
      mode: net.mode ?? 'bridge',
      attachments,
      ports: net.ports ?? [],
      dnsServers: net.dnsServers ?? [],
      dnsSearch: net.dnsSearch ?? [],
      extraHosts: net.extraHosts ?? [],
    },
  };
}

/** The firewall lines (iptables-save and the nft ruleset) that mention any marker. */
export async function firewallLines(markers: string[]): Promise<string[]> {
  const [ipt, nft] = await Promise.all([execa('iptables-save', { reject: false }), execa('nft', ['list', 'ruleset'], { reject: false })]);
  return [...ipt.stdout.split('\n'), ...nft.stdout.split('\n')]
    .filter((l) => !l.startsWith('#'))
    .filter((l) => markers.some((m) => l.includes(m)))
    .map((l) => l.replace(/counter packets \d+ bytes \d+/, '').replace(/\[\d+:\d+\]/, '').trim());
}

/** Host interfaces whose name starts with `prefix` (our bridges) plus veths pointing at them. */
export async function interfaces(prefix: string): Promise<string[]> {
  const r = await execa('ip', ['-o', 'link', 'show'], { reject: false });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(`: ${prefix}`) || l.includes(`master ${prefix}`))
    .map((l) => l.split(':')[1]!.trim());
}

/**
 * Runs busybox inside the namespace with the generated /etc files bind-mounted over the
 * host's in a private mount namespace, the way the container will see them.
 */
export function inNetns(netnsPath: string, etc: { hosts?: string; resolvConf?: string }, script: string, timeoutMs = 20_000) {
  const mounts = [
    etc.hosts ? `mount --bind ${etc.hosts} /etc/hosts` : '',
    etc.resolvConf ? `mount --bind ${etc.resolvConf} /etc/resolv.conf` : '',
  ].filter(Boolean);
  return execa('nsenter', [`--net=${netnsPath}`, 'unshare', '--mount', '--propagation', 'private', BUSYBOX, 'sh', '-c', [...mounts, script].join(' && ')], {
    reject: false,
    timeout: timeoutMs,
  });
}

export function spawnInNetns(netnsPath: string, script: string) {
  return execa('nsenter', [`--net=${netnsPath}`, BUSYBOX, 'sh', '-c', script], { reject: false, timeout: 30_000 });
}
