import { readFile, readdir } from 'node:fs/promises';
import type { Cidr } from '@corral/core/ipv4';

export interface HostRoute {
  iface: string;
  cidr: Cidr;
}

/**
 * The host's IPv4 routes (from /proc/net/route, little-endian hex), minus the default
 * route: the subnets a new network must not overlap.
 */
export async function hostRoutes(): Promise<HostRoute[]> {
  let text: string;
  try {
    text = await readFile('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const routes: HostRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!iface || !dest || !mask) continue;
    const base = leHex(dest);
    const maskN = leHex(mask);
    if (maskN === 0) continue;
    const prefix = 32 - Math.log2(2 ** 32 - maskN);
    if (!Number.isInteger(prefix)) continue;
    routes.push({ iface, cidr: { base, prefix, size: 2 ** (32 - prefix) } });
  }
  return routes;
}

export async function hostInterfaces(): Promise<Set<string>> {
  try {
    return new Set(await readdir('/sys/class/net'));
  } catch {
    return new Set();
  }
}

function leHex(hex: string): number {
  const n = parseInt(hex, 16);
  // /proc/net/route prints the address in host (little-endian) byte order.
  return ((n & 0xff) * 2 ** 24 + ((n >>> 8) & 0xff) * 2 ** 16 + ((n >>> 16) & 0xff) * 2 ** 8 + ((n >>> 24) & 0xff)) >>> 0;
}
