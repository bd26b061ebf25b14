import { describe, expect, it } from 'vitest';
import { parseResolvConf, renderHosts, renderResolvConf } from '../src/index.js';
import { networkChainHash } from '../src/index.js';

describe('generated /etc files', () => {
  const addresses = [{ network: 'app', ip: '10.90.1.2', gateway: '10.90.1.1', dnsEnabled: true }];

  it('writes localhost, the own names, the host gateway and extra hosts into hosts', () => {
    const hosts = renderHosts({ hostname: 'web', containerName: 'web-1', addresses, extraHosts: ['db:192.0.2.5'] });
    expect(hosts).toContain('127.0.0.1\tlocalhost');
    expect(hosts).toContain('::1\tlocalhost');
    expect(hosts).toContain('10.90.1.2\tweb web-1');
    expect(hosts).toContain('10.90.1.1\thost.containers.internal');
    expect(hosts).toContain('192.0.2.5\tdb');
    expect(() => renderHosts({ hostname: 'x', containerName: 'x', addresses, extraHosts: ['nocolon'] })).toThrow(/NAME:IP/);
  });

  it('points resolv.conf at aardvark on DNS networks, else at the host resolvers minus loopback', () => {
    const host = parseResolvConf('# c\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch example.org\noptions ndots:2\n');
    expect(host).toEqual({ nameservers: ['127.0.0.53', '192.0.2.53'], search: ['example.org'], options: ['ndots:2'] });
    const dns = renderResolvConf({ host, addresses, dnsServers: [], dnsSearch: [] });
    expect(dns).toBe('search dns.podman example.org\nnameserver 10.90.1.1\noptions ndots:2\n');
    const plain = renderResolvConf({ host, addresses: [{ ...addresses[0]!, dnsEnabled: false }], dnsServers: [], dnsSearch: [] });
    expect(plain).toBe('search example.org\nnameserver 192.0.2.53\noptions ndots:2\n');
    const own = renderResolvConf({ host, addresses: [], dnsServers: ['192.0.2.1'], dnsSearch: ['corp'] });
    expect(own).toBe('search corp\nnameserver 192.0.2.1\noptions ndots:2\n');
  });
});

it('names firewall chains as netavark 1.4 does (SHA-512 of the network name)', () => {
  // Seen on this host: network "tnet" got NETAVARK-4DFA0667E7438.
  expect(networkChainHash('tnet')).toBe('4DFA0667E7438');
});
