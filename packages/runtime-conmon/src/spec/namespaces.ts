import type { NetworkMode } from '@corral/core';
import type { OciNamespace } from './types.js';

/**
 * Every container gets its own pid, mount, ipc, uts and cgroup namespaces. The network:
 * the namespace the network backend made (bridge), a new empty one (none), or the
 * host's (no entry).
 */
export function buildNamespaces(mode: NetworkMode, netnsPath: string): OciNamespace[] {
  const ns: OciNamespace[] = [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'cgroup' }];
  if (netnsPath) ns.push({ type: 'network', path: netnsPath });
  else if (mode !== 'host') ns.push({ type: 'network' });
  return ns;
}
