import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@corral/core';
import { isIPv4 } from '@corral/core/ipv4';

/** Aardvark answers for names under this domain (podman's choice, kept for compatibility). */
export const DNS_DOMAIN = 'dns.podman';

export interface ContainerAddress {
  network: string;
  ip: string;
  gateway: string;
  dnsEnabled: boolean;
}

export interface HostsInput {
  hostname: string;
  containerName: string;
  addresses: ContainerAddress[];
  /** "name:ip" entries (podman's --add-host). */
  extraHosts: string[];
}

/**
 * /etc/hosts: localhost, the container's own names on its first address, the host as
 * host.containers.internal (the first gateway), and --add-host entries. Other containers
 * are left to aardvark-dns, which knows when they come and go.
 */
export function renderHosts(input: HostsInput): string {
  const lines = [
    '127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4',
    '::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6',
  ];
  for (const entry of input.extraHosts) {
    const i = entry.indexOf(':');
    const name = entry.slice(0, i);
    const ip = entry.slice(i + 1);
    if (i <= 0 || !ip || /\s/.test(name)) {
      throw new InvalidArgumentError(`invalid extra host ${JSON.stringify(entry)}: use NAME:IP`);
    }
    lines.push(`${ip}\t${name}`);
  }
  const first = input.addresses[0];
  if (first) {
    const names = [...new Set([input.hostname, input.containerName].filter(Boolean))];
    lines.push(`${first.ip}\t${names.join(' ')}`);
    if (first.gateway) lines.push(`${first.gateway}\thost.containers.internal`);
  }
  return `${lines.join('\n')}\n`;
}

export interface HostResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): HostResolvConf {
  const out: HostResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const [key, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.search = values;
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

export function readHostResolvConf(path = '/etc/resolv.conf'): HostResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { nameservers: [], search: [], options: [] };
  }
}

function isLoopback(server: string): boolean {
  return server.startsWith('127.') || server === '::1' || server === '0.0.0.0';
}

export interface ResolvInput {
  host: HostResolvConf;
  addresses: ContainerAddress[];
  dnsServers: string[];
  dnsSearch: string[];
}

/**
 * /etc/resolv.conf. On networks with DNS, aardvark (listening on the gateway) comes
 * first: it answers for containers and forwards the rest to the host's resolvers. The
 * host's loopback resolvers are dropped, since inside the namespace they would be the
 * container's own loopback.
 */
export function renderResolvConf(input: ResolvInput): string {
  const aardvark = [...new Set(input.addresses.filter((a) => a.dnsEnabled && a.gateway).map((a) => a.gateway))];
  const upstream = input.dnsServers.length > 0 ? input.dnsServers : input.host.nameservers.filter((s) => !isLoopback(s));
  const nameservers = [...new Set([...aardvark, ...(aardvark.length > 0 && input.dnsServers.length === 0 ? [] : upstream)])];
  const search = [...new Set([...(aardvark.length > 0 ? [DNS_DOMAIN] : []), ...(input.dnsSearch.length > 0 ? input.dnsSearch : input.host.search)])];
  const lines: string[] = [];
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  for (const ns of nameservers) lines.push(`nameserver ${ns}`);
  if (input.host.options.length > 0) lines.push(`options ${input.host.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function renderHostname(hostname: string): string {
  return `${hostname}\n`;
}

export function validateDnsServers(servers: string[]): void {
  for (const s of servers) {
    if (!isIPv4(s) && !/^[0-9a-fA-F:]+$/.test(s)) throw new InvalidArgumentError(`invalid DNS server ${JSON.stringify(s)}`);
  }
}
