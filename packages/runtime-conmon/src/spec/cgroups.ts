import type { Resources } from '@corral/core';
import type { OciResources } from './types.js';

export const CGROUP_PARENT = '/corral';
const CPU_PERIOD = 100_000;

export function cgroupsPath(id: string): string {
  return `${CGROUP_PARENT}/${id}`;
}

export function buildResources(r: Resources): OciResources {
  const out: OciResources = { devices: [{ allow: false, access: 'rwm' }] };
  if (r.memory > 0) out.memory = { limit: Math.floor(r.memory) };
  if (r.cpus > 0) out.cpu = { quota: Math.round(r.cpus * CPU_PERIOD), period: CPU_PERIOD };
  if (r.pidsLimit > 0) out.pids = { limit: Math.floor(r.pidsLimit) };
  return out;
}
