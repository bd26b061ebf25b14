import { createHash } from '@corral/core/crypto';
import { run } from './exec.js';

/**
 * netavark 1.4 names a network's chains after the first 13 hex digits of SHA-512 of the
 * network name: NETAVARK-<hash> (nat, per subnet) and NETAVARK-DN-<hash> (port DNAT).
 */
export function networkChainHash(networkName: string): string {
  return createHash('sha512').update(networkName).digest('hex').slice(0, 13).toUpperCase();
}

export function networkChains(networkName: string): string[] {
  const hash = networkChainHash(networkName);
  return [`NETAVARK-${hash}`, `NETAVARK-DN-${hash}`];
}

/**
 * netavark 1.4 leaves the empty NETAVARK-DN-<hash> chain behind when the last container
 * to leave a network had no port mappings of its own. Deleting a chain fails when it
 * still has rules or is referenced, so this never takes anything from a live setup.
 */
export async function removeEmptyDnChain(networkName: string): Promise<void> {
  await run('iptables', ['-w', '-t', 'nat', '-X', `NETAVARK-DN-${networkChainHash(networkName)}`]);
}
