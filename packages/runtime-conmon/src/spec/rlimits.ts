import { readFileSync } from 'node:fs';
import type { OciRlimit } from './types.js';

/** podman's defaults; a machine without CAP_SYS_RESOURCE cannot raise past its hard limit. */
const WANTED: Record<string, number> = { RLIMIT_NOFILE: 1048576, RLIMIT_NPROC: 4194304 };

const LIMIT_NAMES: Record<string, string> = {
  'Max open files': 'RLIMIT_NOFILE',
  'Max processes': 'RLIMIT_NPROC',
};

/** The calling process's hard limits, from /proc/self/limits; Infinity for unlimited. */
export function hostHardLimits(limitsText = readFileSync('/proc/self/limits', 'utf8')): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of limitsText.split('\n')) {
    for (const [label, type] of Object.entries(LIMIT_NAMES)) {
      if (!line.startsWith(label)) continue;
      const fields = line.slice(label.length).trim().split(/\s+/);
      const hard = fields[1];
      out[type] = hard === 'unlimited' ? Infinity : Number(hard);
    }
  }
  return out;
}

export function buildRlimits(hard: Record<string, number>): OciRlimit[] {
  return Object.entries(WANTED).map(([type, wanted]) => {
    const limit = Math.min(wanted, hard[type] ?? wanted);
    return { type, hard: limit, soft: limit };
  });
}
