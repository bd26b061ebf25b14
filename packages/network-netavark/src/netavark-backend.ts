import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ConflictError,
  ErrorCode,
  InvalidArgumentError,
  describeError,
  type ContainerEtcFiles,
  type Logger,
  type NetworkBackend,
  type NetworkCreateOptions,
  type NetworkDefinition,
  type NetworkRefreshReport,
  type NetworkSetupRequest,
  type NetworkSetupResult,
  type NetworkSetupStage,
  type StateStore,
} from '@corral/core';
import { AddressAllocator } from './allocator.js';
import { readHostResolvConf, renderHostname, renderHosts, renderResolvConf, validateDnsServers, type ContainerAddress } from './etc-files.js';
import { removeEmptyDnChain } from './firewall.js';
import { HostLock } from './host-lock.js';
import { hostInterfaces } from './host-routes.js';
import { isIPv4 } from '@corral/core/ipv4';
import { NetavarkCli, missingContainerInterface, onlyAlreadyGone } from './netavark-cli.js';
import { isNetavarkStatus, type NetavarkContainerStatus, type NetavarkOptions, type NetavarkPortMapping } from './netavark-types.js';
import { addStandInInterfaces, createNetns, isMounted, removeNetns } from './netns.js';
import { NetworkRegistry, type NetworkRegistryOptions } from './networks.js';
import { SetupRecords, type SetupRecord } from './records.js';

export interface NetavarkBackendOptions extends Partial<NetworkRegistryOptions> {
  store: StateStore;
  /** Transient directory of our own: namespaces, netavark's config, generated /etc files. */
  runDir: string;
  logger: Logger;
  netavarkPath?: string;
  aardvarkPath?: string;
  /** A setup record this young whose process still runs is never taken for a leak. */
  refreshGraceMs?: number;
}

export const DEFAULT_NETAVARK = '/usr/lib/podman/netavark';
export const DEFAULT_AARDVARK = '/usr/lib/podman/aardvark-dns';

const ALIAS = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAC = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;

type TeardownRequest = NetworkSetupRequest & { netnsPath: string; status: unknown };

/**
 * NetworkBackend on netavark 1.4 + aardvark-dns, as podman 4 drives them: we choose the
 * addresses (netavark 1.4 has no IPAM of its own), create the namespace, and hand
 * netavark the whole picture as JSON; it builds bridge, veth, routes, firewall rules
 * and DNS entries, and takes them down again from the same JSON.
 */
export class NetavarkNetworkBackend implements NetworkBackend {
  readonly registry: NetworkRegistry;
  readonly netnsDir: string;
  readonly configDir: string;
  readonly #store: StateStore;
  readonly #allocator: AddressAllocator;
  readonly #records: SetupRecords;
  readonly #cli: NetavarkCli;
  readonly #lock: HostLock;
  readonly #logger: Logger;
  readonly #graceMs: number;
  #dirsReady = false;

  constructor(options: NetavarkBackendOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#graceMs = options.refreshGraceMs ?? 10 * 60_000;
    this.registry = new NetworkRegistry(options.store.networks, {
      defaultNetwork: options.defaultNetwork ?? 'corral',
      defaultSubnet: options.defaultSubnet ?? '10.90.0.0/24',
      defaultInterface: options.defaultInterface ?? 'corral0',
      interfacePrefix: options.interfacePrefix ?? 'corral',
      subnetPool: options.subnetPool ?? '10.90.0.0/16',
    });
    this.#allocator = new AddressAllocator(options.store.networks);
    this.netnsDir = path.join(options.runDir, 'netns');
    this.configDir = path.join(options.runDir, 'netavark');
    this.#records = new SetupRecords(path.join(options.runDir, 'containers'));
    this.#cli = new NetavarkCli({
      netavarkPath: options.netavarkPath ?? DEFAULT_NETAVARK,
      aardvarkPath: options.aardvarkPath ?? DEFAULT_AARDVARK,
      configDir: this.configDir,
    });
    this.#lock = new HostLock(path.join(options.runDir, 'netavark.lock'));
  }

  /** Where a container's namespace is mounted. */
  netnsPathFor(containerId: string): string {
    return path.join(this.netnsDir, containerId);
  }

  async setup(request: NetworkSetupRequest): Promise<NetworkSetupResult> {
    return (await this.setupStaged(request)).finish();
  }

  /**
   * The namespace and the /etc files first (the addresses are ours to allocate, so the
   * files need nothing from netavark), then netavark in `finish`: the engine creates the
   * runtime container meanwhile, which takes about as long as netavark's setup.
   */
  async setupStaged(request: NetworkSetupRequest): Promise<NetworkSetupStage> {
    const { containerId, network } = request;
    if (network.mode !== 'bridge') {
      throw new InvalidArgumentError(`container ${request.containerName} has network mode ${network.mode}: only bridge needs a network setup`);
    }
    if (network.attachments.length === 0) {
      throw new InvalidArgumentError(`container ${request.containerName} joins no network in bridge mode`);
    }
    validateDnsServers(network.dnsServers);
    this.#ensureDirs();

    // Whatever an earlier start of this container left (a crash between setup and the
    // state save) goes first, so it cannot hold addresses or the namespace path.
    const leftover = await this.#records.read(containerId);
    if (leftover) await this.#teardownSetup(containerId, leftover.netnsPath, leftover.options);

    const netnsPath = this.netnsPathFor(containerId);
    const record: SetupRecord = { containerId, netnsPath, pid: process.pid, createdAt: Date.now() };
    await this.#records.write(record);
    let options: NetavarkOptions | undefined;
    const undo = async (err: unknown): Promise<never> => {
      await this.#teardownSetup(containerId, netnsPath, options).catch((undoErr) =>
        this.#logger.warn({ err: undoErr, containerId }, 'undoing a failed network setup failed'),
      );
      throw err;
    };
    let etcFiles: ContainerEtcFiles;
    try {
      options = await this.#buildOptions(request);
      await this.#records.write({ ...record, options });
      await removeNetns(netnsPath);
      await createNetns(netnsPath);
      etcFiles = this.#writeEtcFiles(request, options);
    } catch (err) {
      return undo(err);
    }
    const netavarkOptions = options;
    let finished: Promise<NetworkSetupResult> | undefined;
    const finish = async (): Promise<NetworkSetupResult> => {
      try {
        const result = await this.#lock.run(() => this.#cli.setup(netnsPath, netavarkOptions));
        const status: NetavarkContainerStatus = { backend: 'netavark', version: 1, netnsPath, options: netavarkOptions, result };
        this.#logger.debug({ containerId, netnsPath, networks: Object.keys(netavarkOptions.networks) }, 'network set up');
        return { netnsPath, status, etcFiles };
      } catch (err) {
        return undo(err);
      }
    };
    return { netnsPath, etcFiles, finish: () => (finished ??= finish()) };
  }

  async teardown(request: TeardownRequest): Promise<void> {
    const { containerId } = request;
    const status = isNetavarkStatus(request.status) ? request.status : undefined;
    const record = await this.#records.read(containerId);
    const netnsPath = request.netnsPath || status?.netnsPath || record?.netnsPath || this.netnsPathFor(containerId);
    if (!record && !(await isMounted(netnsPath))) {
      // Done before (teardown removes the record last), or never set up: only addresses may remain.
      await this.#store.networks.release(containerId);
      return;
    }
    const options = record?.options ?? status?.options ?? (await this.#rebuildOptions(request));
    await this.#teardownSetup(containerId, netnsPath, options);
  }

  createNetwork(options: NetworkCreateOptions): Promise<NetworkDefinition> {
    return this.registry.create(options);
  }

  listNetworks(): Promise<NetworkDefinition[]> {
    return this.registry.list();
  }

  inspectNetwork(nameOrId: string): Promise<NetworkDefinition> {
    return this.registry.get(nameOrId);
  }

  async removeNetwork(nameOrId: string, options: { force?: boolean } = {}): Promise<void> {
    const network = await this.registry.removable(nameOrId);
    const held = await this.#store.networks.allocations(network.name);
    if (held.length > 0 && !options.force) {
      const users = [...new Set(held.map((a) => a.containerId.slice(0, 12)))];
      throw new ConflictError(ErrorCode.NetworkInUse, `network "${network.name}" is in use by ${users.length} container(s): ${users.join(', ')}`, {
        details: { network: network.name, containers: users },
      });
    }
    await this.#store.networks.remove(network.name);
  }

  async refresh(): Promise<NetworkRefreshReport> {
    this.#ensureDirs();
    const report: NetworkRefreshReport = { tornDown: [], released: [] };
    const states = new Map((await this.#store.containers.list()).map((r) => [r.config.id, r.state.netnsPath] as const));
    const records = await this.#records.list();
    const kept = new Set<string>();
    for (const record of records) {
      if (states.get(record.containerId) === record.netnsPath || this.#mayBeStarting(record.pid, record.createdAt)) {
        kept.add(record.containerId);
        continue;
      }
      try {
        await this.#teardownSetup(record.containerId, record.netnsPath, record.options);
        report.tornDown.push(record.containerId);
      } catch (err) {
        kept.add(record.containerId);
        this.#logger.warn({ err, containerId: record.containerId }, 'could not tear down a leaked network setup');
      }
    }

    // Namespace files no record explains: the remains of a teardown that died midway.
    const referenced = new Set([...states.values(), ...records.filter((r) => kept.has(r.containerId)).map((r) => r.netnsPath)]);
    for (const name of await readdir(this.netnsDir).catch(() => [] as string[])) {
      const file = path.join(this.netnsDir, name);
      if (referenced.has(file)) continue;
      const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < this.#graceMs && !name.endsWith('.teardown')) continue;
      await removeNetns(file).catch((err) => this.#logger.warn({ err, path: file }, 'could not remove a leaked network namespace'));
    }

    for (const network of await this.#store.networks.list()) {
      for (const { containerId } of await this.#store.networks.allocations(network.name)) {
        if (kept.has(containerId) || report.released.includes(containerId)) continue;
        if (states.get(containerId)) continue;
        // A setup that began after the listing above has written its record before it allocated.
        if (await this.#records.read(containerId)) continue;
        await this.#store.networks.release(containerId);
        report.released.push(containerId);
      }
    }
    await this.#forgetStaleAardvark();
    if (report.tornDown.length + report.released.length > 0) this.#logger.info(report, 'network refresh repaired leaks');
    return report;
  }

  /** The netavark input for a request, with addresses reserved in the state store. */
  async #buildOptions(request: NetworkSetupRequest): Promise<NetavarkOptions> {
    const { containerId, containerName, network } = request;
    const options: NetavarkOptions = { container_id: containerId, container_name: containerName, networks: {}, network_info: {} };
    for (const [i, attachment] of network.attachments.entries()) {
      const def = await this.registry.get(attachment.network);
      if (options.networks[def.name]) {
        throw new InvalidArgumentError(`container ${containerName} joins network "${def.name}" twice`);
      }
      if (attachment.staticMac && !MAC.test(attachment.staticMac)) {
        throw new InvalidArgumentError(`invalid MAC address ${JSON.stringify(attachment.staticMac)} for container ${containerName}`);
      }
      for (const alias of attachment.aliases) {
        if (!ALIAS.test(alias)) throw new InvalidArgumentError(`invalid network alias ${JSON.stringify(alias)} for container ${containerName}`);
      }
      const before = previousAddresses(request.previous, def.name);
      const wantIps = attachment.staticIps.length > 0 ? attachment.staticIps : request.previous?.keepIps ? before.ips : [];
      const wantMac = attachment.staticMac || (request.previous?.keepMacs ? before.mac : '');
      const ips: string[] = [];
      if (wantIps.length > 0) {
        for (const ip of wantIps) ips.push(await this.#allocator.claimStatic(def, containerId, ip));
      } else {
        ips.push(await this.#allocator.claimNext(def, containerId));
      }
      options.networks[def.name] = {
        interface_name: `eth${i}`,
        static_ips: ips,
        ...(wantMac ? { static_mac: wantMac.toLowerCase() } : {}),
        ...(def.dnsEnabled ? { aliases: [...new Set([...attachment.aliases, containerId.slice(0, 12)])] } : {}),
      };
      options.network_info[def.name] = networkInfo(def);
    }
    if (network.ports.length > 0) options.port_mappings = network.ports.map((p) => toNetavarkPort(p, containerName));
    return options;
  }

  /** The input that set a container up, pieced together from the store when nothing else kept it. */
  async #rebuildOptions(request: TeardownRequest): Promise<NetavarkOptions | undefined> {
    const options: NetavarkOptions = { container_id: request.containerId, container_name: request.containerName, networks: {}, network_info: {} };
    for (const [i, attachment] of request.network.attachments.entries()) {
      const def = await this.registry.get(attachment.network).catch(() => undefined);
      if (!def) continue;
      const ips = (await this.#store.networks.allocations(def.name)).filter((a) => a.containerId === request.containerId).map((a) => a.ip);
      if (ips.length === 0) continue;
      options.networks[def.name] = { interface_name: `eth${i}`, static_ips: ips };
      options.network_info[def.name] = networkInfo(def);
    }
    if (request.network.ports.length > 0) options.port_mappings = request.network.ports.map((p) => toNetavarkPort(p, request.containerName));
    return Object.keys(options.networks).length > 0 ? options : undefined;
  }

  /**
   * Undoes a setup in the order that keeps every step repeatable: netavark's teardown
   * (interfaces, firewall, DNS entries; the bridge when its last user leaves), the
   * namespace, the addresses, and last the record that says something is left to undo.
   */
  async #teardownSetup(containerId: string, netnsPath: string, options: NetavarkOptions | undefined): Promise<void> {
    if (options && Object.keys(options.networks).length > 0) {
      const live = await isMounted(netnsPath);
      // Without its namespace, netavark still needs one holding the container's
      // interfaces to get as far as the firewall rules and the bridge.
      const target = live ? netnsPath : `${netnsPath}.teardown`;
      if (!live) {
        await removeNetns(target);
        await createNetns(target);
      }
      try {
        await this.#lock.run(() => this.#netavarkTeardown(target, options, !live));
      } finally {
        if (!live) await removeNetns(target);
      }
    }
    await removeNetns(netnsPath);
    await this.#store.networks.release(containerId);
    await this.#records.remove(containerId);
    this.#logger.debug({ containerId, netnsPath }, 'network torn down');
  }

  /** Runs with the lock held. */
  async #netavarkTeardown(netnsPath: string, options: NetavarkOptions, standIns: boolean): Promise<void> {
    const interfaces = Object.values(options.networks).map((n) => n.interface_name);
    if (standIns) await addStandInInterfaces(netnsPath, interfaces);
    try {
      await this.#cli.teardown(netnsPath, options);
    } catch (err) {
      if (!standIns && missingContainerInterface(err)) {
        // netavark stops at a missing interface before the bridge and the firewall: stand in and repeat.
        await addStandInInterfaces(netnsPath, interfaces);
        await this.#cli.teardown(netnsPath, options).catch((again) => {
          if (!onlyAlreadyGone(again)) throw again;
        });
      } else if (!onlyAlreadyGone(err)) {
        throw err;
      } else {
        this.#logger.debug({ err: describeError(err), containerId: options.container_id }, 'netavark teardown found parts already gone');
      }
    }
    const present = await hostInterfaces();
    for (const network of Object.values(options.network_info)) {
      if (!present.has(network.network_interface)) await removeEmptyDnChain(network.name);
    }
  }

  #writeEtcFiles(request: NetworkSetupRequest, options: NetavarkOptions): ContainerEtcFiles {
    const dir = this.#records.filesDir(request.containerId);
    // Three small files on tmpfs: synchronous writes take microseconds, where each
    // fs/promises call would be a thread-pool round trip on the way to the container.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const addresses: ContainerAddress[] = Object.entries(options.networks).map(([name, per]) => {
      const info = options.network_info[name]!;
      return { network: name, ip: per.static_ips[0]!, gateway: info.subnets[0]?.gateway ?? '', dnsEnabled: info.dns_enabled };
    });
    const hostname = request.hostname || request.containerId.slice(0, 12);
    const files = { hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf'), hostname: path.join(dir, 'hostname') };
    const { network } = request;
    writeFileSync(files.hosts, renderHosts({ hostname, containerName: request.containerName, addresses, extraHosts: network.extraHosts }), { mode: 0o644 });
    writeFileSync(
      files.resolvConf,
      renderResolvConf({ host: readHostResolvConf(), addresses, dnsServers: network.dnsServers, dnsSearch: network.dnsSearch }),
      { mode: 0o644 },
    );
    writeFileSync(files.hostname, renderHostname(hostname), { mode: 0o644 });
    return files;
  }

  #ensureDirs(): void {
    if (this.#dirsReady) return;
    for (const dir of [this.netnsDir, this.configDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
    this.#dirsReady = true;
  }

  #mayBeStarting(pid: number, createdAt: number): boolean {
    if (Date.now() - createdAt >= this.#graceMs) return false;
    if (pid === process.pid) return true;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /**
   * After a reboot aardvark's pid file outlives its process; netavark would signal
   * whatever process got the pid since. Drop the file unless the pid is aardvark-dns.
   */
  async #forgetStaleAardvark(): Promise<void> {
    const pidFile = path.join(this.configDir, 'aardvark-dns', 'aardvark.pid');
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (!pid) return;
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    const state = (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.[0];
    if (comm !== 'aardvark-dns' || state === 'Z') await rm(pidFile, { force: true });
  }
}

/** The addresses and MAC a checkpointed setup had on a network, from its status. */
function previousAddresses(previous: NetworkSetupRequest['previous'], network: string): { ips: string[]; mac: string } {
  if (!previous || !isNetavarkStatus(previous.status)) return { ips: [], mac: '' };
  const { options, result } = previous.status;
  const per = options.networks[network];
  if (!per) return { ips: [], mac: '' };
  const iface = result[network]?.interfaces?.[per.interface_name];
  const ips = iface?.subnets?.map((s) => s.ipnet.split('/')[0]!) ?? per.static_ips;
  return { ips, mac: iface?.mac_address ?? per.static_mac ?? '' };
}

function toNetavarkPort(p: NetworkSetupRequest['network']['ports'][number], containerName: string): NetavarkPortMapping {
  const range = p.range || 1;
  if (!Number.isInteger(range) || range < 1 || p.hostPort + range - 1 > 65535 || p.containerPort + range - 1 > 65535) {
    throw new InvalidArgumentError(`invalid port range ${p.hostPort}:${p.containerPort} x${p.range} for container ${containerName}`);
  }
  if (p.hostIp && !isIPv4(p.hostIp)) {
    throw new InvalidArgumentError(`invalid host IP ${JSON.stringify(p.hostIp)} in a port mapping of container ${containerName} (IPv4 only)`);
  }
  return { host_ip: p.hostIp, host_port: p.hostPort, container_port: p.containerPort, protocol: p.protocol, range };
}

/** What netavark is told about a network, the same for setup and teardown. */
function networkInfo(def: NetworkDefinition): NetavarkOptions['network_info'][string] {
  return {
    name: def.name,
    id: def.id,
    driver: 'bridge',
    network_interface: def.interface,
    subnets: def.subnets.map((s) => ({ subnet: s.subnet, gateway: s.gateway })),
    ipv6_enabled: false,
    internal: def.internal,
    dns_enabled: def.dnsEnabled,
  };
}
