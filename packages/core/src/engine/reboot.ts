import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Synchronous: every engine open reads both files, and an fs/promises call is a
// thread-pool round trip (~0.3 ms) where the read itself takes microseconds.

const BOOT_ID_SOURCE = '/proc/sys/kernel/random/boot_id';

export async function currentBootId(): Promise<string> {
  return readFileSync(BOOT_ID_SOURCE, 'utf8').trim();
}

/** The boot id recorded in the run root by the last refresh, or '' when none. */
export async function recordedBootId(runRoot: string): Promise<string> {
  try {
    return readFileSync(join(runRoot, 'boot-id'), 'utf8').trim();
  } catch {
    return '';
  }
}

export async function recordBootId(runRoot: string, bootId: string): Promise<void> {
  mkdirSync(runRoot, { recursive: true, mode: 0o700 });
  writeFileSync(join(runRoot, 'boot-id'), `${bootId}\n`);
}
