import { readFileSync } from 'node:fs';
import { hostHardLimits } from './rlimits.js';

/** Facts about the machine that bound what a spec may ask for. */
export interface HostInfo {
  /** /proc/sys/kernel/cap_last_cap. */
  lastCap: number;
  /** Hard rlimits of this process by OCI name. */
  hardLimits: Record<string, number>;
}

export function readHostInfo(): HostInfo {
  let lastCap = 40;
  try {
    lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
  } catch {
    // Older kernels lack the file: assume the capabilities this code knows.
  }
  return { lastCap, hardLimits: hostHardLimits() };
}
