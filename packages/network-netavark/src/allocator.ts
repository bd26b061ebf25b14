import { ConflictError, ErrorCode, InvalidArgumentError, hasCode, type NetworkDefinition, type NetworkStore } from '@corral/core';
import { contains, formatIPv4, hostRange, parseIPv4 } from '@corral/core/ipv4';
import { subnetOf } from './networks.js';

/**
 * Hands out IPv4 addresses through the state store. The store's allocate() is the
 * atomic step (one holder per address, across processes); this only proposes
 * candidates, lowest first as podman does, and moves on when another caller won one.
 */
export class AddressAllocator {
  constructor(private readonly store: NetworkStore) {}

  /** Reserves `ip` for the container; explains who holds it when it is taken. */
  async claimStatic(network: NetworkDefinition, containerId: string, ip: string): Promise<string> {
    const { cidr, gateway } = subnetOf(network);
    const n = parseIPv4(ip, 'static IP');
    const { first, last } = hostRange(cidr);
    if (!contains(cidr, n) || n < first || n > last) {
      throw new InvalidArgumentError(`static IP ${ip} is not a host address of network "${network.name}" (${network.subnets[0]!.subnet})`);
    }
    if (n === gateway) throw new InvalidArgumentError(`static IP ${ip} is the gateway of network "${network.name}"`);
    try {
      await this.store.allocate(network.name, containerId, ip);
    } catch (err) {
      if (!hasCode(err, ErrorCode.NetworkExists)) throw err;
      throw new ConflictError(ErrorCode.NetworkExists, `static IP ${ip} on network "${network.name}" is already in use`, {
        cause: err,
        details: { network: network.name, ip },
      });
    }
    return ip;
  }

  /** Reserves the lowest free address of the network's range (or subnet). */
  async claimNext(network: NetworkDefinition, containerId: string): Promise<string> {
    const { cidr, gateway, range } = subnetOf(network);
    const span = hostRange(cidr);
    const first = range ? Math.max(range.base, span.first) : span.first;
    const last = range ? Math.min(range.base + range.size - 1, span.last) : span.last;
    const held = await this.store.allocations(network.name);
    const mine = held.find((a) => a.containerId === containerId);
    if (mine) return mine.ip;
    const taken = new Set(held.map((a) => parseIPv4(a.ip)));
    taken.add(gateway);
    for (let n = first; n <= last; n++) {
      if (taken.has(n)) continue;
      const ip = formatIPv4(n);
      try {
        await this.store.allocate(network.name, containerId, ip);
        return ip;
      } catch (err) {
        if (!hasCode(err, ErrorCode.NetworkExists)) throw err;
        // Someone else took it since the listing: try the next one.
      }
    }
    throw new ConflictError(ErrorCode.NetworkExists, `no free address left on network "${network.name}" (${network.subnets[0]!.subnet})`, {
      details: { network: network.name },
    });
  }
}
