import { createHash, randomBytes } from '@corral/core/crypto';
import {
  ConflictError,
  ErrorCode,
  InvalidArgumentError,
  hasCode,
  type NetworkCreateOptions,
  type NetworkDefinition,
  type NetworkStore,
} from '@corral/core';
import { formatCidr, formatIPv4, hostRange, overlaps, parseCidr, parseIPv4, type Cidr } from '@corral/core/ipv4';
import { hostInterfaces, hostRoutes } from './host-routes.js';

/** Podman's default network; never handed out by us, even when podman is not running. */
const PODMAN_DEFAULT_SUBNET = parseCidr('10.88.0.0/16');
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME = /^[a-zA-Z0-9_.-]{1,15}$/;

export interface NetworkRegistryOptions {
  defaultNetwork: string;
  defaultSubnet: string;
  defaultInterface: string;
  /** Prefix of the bridges of user-defined networks: <prefix>1, <prefix>2, ... */
  interfacePrefix: string;
  /** User-defined networks get /24s out of this range. */
  subnetPool: string;
}

/** Network definitions kept in the state store: create, look up, remove, and the default one. */
export class NetworkRegistry {
  #defaultReady: Promise<NetworkDefinition> | undefined;

  constructor(
    private readonly store: NetworkStore,
    readonly options: NetworkRegistryOptions,
  ) {}

  /** The default network, added to the store the first time anyone needs it. */
  ensureDefault(): Promise<NetworkDefinition> {
    this.#defaultReady ??= this.#addDefault().catch((err) => {
      this.#defaultReady = undefined;
      throw err;
    });
    return this.#defaultReady;
  }

  async get(nameOrId: string): Promise<NetworkDefinition> {
    if (nameOrId === this.options.defaultNetwork) return this.ensureDefault();
    return this.store.get(nameOrId);
  }

  async list(): Promise<NetworkDefinition[]> {
    await this.ensureDefault();
    return this.store.list();
  }

  async create(options: NetworkCreateOptions): Promise<NetworkDefinition> {
    const name = options.name;
    if (!NAME.test(name ?? '')) {
      throw new InvalidArgumentError(`invalid network name ${JSON.stringify(name)}: use [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    }
    if (name === this.options.defaultNetwork) {
      throw new ConflictError(ErrorCode.NetworkExists, `network name "${name}" is the default network's`, { details: { network: name } });
    }
    await this.ensureDefault();
    const existing = await this.store.list();
    if (existing.some((n) => n.name === name)) {
      throw new ConflictError(ErrorCode.NetworkExists, `network name "${name}" is already in use`, { details: { network: name } });
    }
    const subnet = options.subnet ? await this.#checkSubnet(options.subnet, existing) : await this.#freeSubnet(existing);
    const gateway = options.gateway ?? formatIPv4(subnet.base + 1);
    const gw = parseIPv4(gateway, 'gateway');
    const { first, last } = hostRange(subnet);
    if (gw < first || gw > last) throw new InvalidArgumentError(`gateway ${gateway} is not a host address of subnet ${formatCidr(subnet)}`);
    let ipRange: string | undefined;
    if (options.ipRange) {
      const range = parseCidr(options.ipRange, 'IP range', true);
      if (range.base < subnet.base || range.base + range.size > subnet.base + subnet.size) {
        throw new InvalidArgumentError(`IP range ${options.ipRange} is not inside subnet ${formatCidr(subnet)}`);
      }
      ipRange = formatCidr(range);
    }
    const definition: NetworkDefinition = {
      name,
      id: randomBytes(32).toString('hex'),
      driver: 'bridge',
      interface: options.interfaceName ? await this.#checkInterface(options.interfaceName, existing) : await this.#freeInterface(existing),
      subnets: [{ subnet: formatCidr(subnet), gateway, ...(ipRange ? { ipRange } : {}) }],
      internal: options.internal ?? false,
      dnsEnabled: options.dnsEnabled ?? true,
      labels: { ...(options.labels ?? {}) },
      createdAt: new Date().toISOString(),
    };
    await this.store.add(definition);
    return definition;
  }

  /** The exact definition (for removal); refuses the default network. */
  async removable(nameOrId: string): Promise<NetworkDefinition> {
    const network = await this.get(nameOrId);
    if (network.name === this.options.defaultNetwork) {
      throw new InvalidArgumentError(`the default network "${network.name}" cannot be removed`);
    }
    return network;
  }

  async #addDefault(): Promise<NetworkDefinition> {
    const { defaultNetwork: name } = this.options;
    try {
      return await this.store.get(name);
    } catch (err) {
      if (!hasCode(err, ErrorCode.NoSuchNetwork)) throw err;
    }
    const subnet = parseCidr(this.options.defaultSubnet, 'default subnet');
    const definition: NetworkDefinition = {
      name,
      // Fixed, so engines racing to add it agree on what they add.
      id: createHash('sha256').update(`corral-network:${name}`).digest('hex'),
      driver: 'bridge',
      interface: this.options.defaultInterface,
      subnets: [{ subnet: formatCidr(subnet), gateway: formatIPv4(subnet.base + 1) }],
      internal: false,
      // As podman's default network: containers on it are not meant to find each other by name.
      dnsEnabled: false,
      labels: {},
      createdAt: new Date().toISOString(),
    };
    try {
      await this.store.add(definition);
      return definition;
    } catch (err) {
      if (hasCode(err, ErrorCode.NetworkExists)) return this.store.get(name);
      throw err;
    }
  }

  async #checkSubnet(text: string, existing: NetworkDefinition[]): Promise<Cidr> {
    const subnet = parseCidr(text);
    if (subnet.prefix > 30) throw new InvalidArgumentError(`subnet ${text} is too small: use a /30 or larger`);
    for (const n of existing) {
      for (const s of n.subnets) {
        if (overlaps(subnet, parseCidr(s.subnet, 'subnet', true))) {
          throw new ConflictError(ErrorCode.NetworkExists, `subnet ${text} overlaps subnet ${s.subnet} of network "${n.name}"`, {
            details: { subnet: text, network: n.name },
          });
        }
      }
    }
    const clash = await this.#hostClash(subnet, existing);
    if (clash) throw new ConflictError(ErrorCode.NetworkExists, `subnet ${text} is already used on the host (${clash})`, { details: { subnet: text } });
    return subnet;
  }

  async #freeSubnet(existing: NetworkDefinition[]): Promise<Cidr> {
    const pool = parseCidr(this.options.subnetPool, 'subnet pool');
    const taken = existing.flatMap((n) => n.subnets.map((s) => parseCidr(s.subnet, 'subnet', true)));
    taken.push(parseCidr(this.options.defaultSubnet, 'default subnet'), PODMAN_DEFAULT_SUBNET);
    for (let base = pool.base; base + 256 <= pool.base + pool.size; base += 256) {
      const candidate: Cidr = { base, prefix: 24, size: 256 };
      if (taken.some((t) => overlaps(t, candidate))) continue;
      if (await this.#hostClash(candidate, existing)) continue;
      return candidate;
    }
    throw new ConflictError(ErrorCode.NetworkExists, `no free /24 left in the subnet pool ${this.options.subnetPool}`);
  }

  /** A host route on an interface that is not one of our bridges, overlapping `subnet`. */
  async #hostClash(subnet: Cidr, existing: NetworkDefinition[]): Promise<string | undefined> {
    if (overlaps(subnet, PODMAN_DEFAULT_SUBNET)) return "podman's default network 10.88.0.0/16";
    const ours = new Set(existing.map((n) => n.interface));
    const route = (await hostRoutes()).find((r) => !ours.has(r.iface) && overlaps(r.cidr, subnet));
    return route ? `route ${formatCidr(route.cidr)} on ${route.iface}` : undefined;
  }

  async #checkInterface(name: string, existing: NetworkDefinition[]): Promise<string> {
    if (!IFNAME.test(name)) throw new InvalidArgumentError(`invalid interface name ${JSON.stringify(name)}: at most 15 of [a-zA-Z0-9_.-]`);
    const owner = existing.find((n) => n.interface === name);
    if (owner) throw new ConflictError(ErrorCode.NetworkExists, `interface ${name} is already the bridge of network "${owner.name}"`);
    if ((await hostInterfaces()).has(name)) throw new ConflictError(ErrorCode.NetworkExists, `interface ${name} already exists on the host`);
    return name;
  }

  async #freeInterface(existing: NetworkDefinition[]): Promise<string> {
    const taken = new Set([...existing.map((n) => n.interface), ...(await hostInterfaces())]);
    for (let i = 1; i < 10_000; i++) {
      const name = `${this.options.interfacePrefix}${i}`;
      if (!taken.has(name)) return name;
    }
    throw new ConflictError(ErrorCode.NetworkExists, `no free bridge name with prefix ${this.options.interfacePrefix}`);
  }
}

export function subnetOf(network: NetworkDefinition): { cidr: Cidr; gateway: number; range: Cidr | undefined } {
  const first = network.subnets[0];
  if (!first) throw new InvalidArgumentError(`network "${network.name}" has no subnet`);
  const cidr = parseCidr(first.subnet, 'subnet', true);
  return {
    cidr,
    gateway: parseIPv4(first.gateway, 'gateway'),
    range: first.ipRange ? parseCidr(first.ipRange, 'IP range', true) : undefined,
  };
}
