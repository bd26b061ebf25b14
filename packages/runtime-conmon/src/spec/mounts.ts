import { isAbsolute } from 'node:path';
import { InvalidArgumentError, type BindMount, type ContainerEtcFiles } from '@corral/core';
import type { OciMount } from './types.js';

/** The kernel filesystems every container gets, as podman mounts them. */
export function systemMounts(privileged: boolean): OciMount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
  ];
}

/** The files the network backend generated, bound over the image's. */
export function etcMounts(files: ContainerEtcFiles): OciMount[] {
  const out: OciMount[] = [];
  const add = (destination: string, source: string | undefined) => {
    if (source) out.push({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] });
  };
  add('/etc/hosts', files.hosts);
  add('/etc/resolv.conf', files.resolvConf);
  add('/etc/hostname', files.hostname);
  return out;
}

export function bindMounts(mounts: BindMount[]): OciMount[] {
  return mounts.map((m) => {
    if (!isAbsolute(m.source) || !isAbsolute(m.destination)) {
      throw new InvalidArgumentError(`bind mount ${m.source}:${m.destination}: both paths must be absolute`, { details: { mount: m } });
    }
    const extra = m.options.filter((o) => o !== 'ro' && o !== 'rw' && o !== 'bind' && o !== 'rbind');
    const recursive = m.options.includes('bind') ? 'bind' : 'rbind';
    return { destination: m.destination, type: 'bind', source: m.source, options: [recursive, m.readOnly ? 'ro' : 'rw', ...extra] };
  });
}
