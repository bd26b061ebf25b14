import { statfsSync } from 'node:fs';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;

export type CgroupLayout = 'v1' | 'v2' | 'hybrid';

/** v2 (unified at /sys/fs/cgroup), hybrid (v1 controllers plus /sys/fs/cgroup/unified) or v1. */
export function cgroupLayout(root = '/sys/fs/cgroup'): CgroupLayout {
  const type = statfsType(root);
  if (type === CGROUP2_SUPER_MAGIC) return 'v2';
  if (type === TMPFS_MAGIC && statfsType(`${root}/unified`) === CGROUP2_SUPER_MAGIC) return 'hybrid';
  return 'v1';
}

function statfsType(path: string): number | undefined {
  try {
    return statfsSync(path).type;
  } catch {
    return undefined;
  }
}
