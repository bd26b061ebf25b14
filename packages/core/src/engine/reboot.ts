import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const BOOT_ID_SOURCE = '/proc/sys/kernel/random/boot_id';

export async function currentBootId(): Promise<string> {
  return (await readFile(BOOT_ID_SOURCE, 'utf8')).trim();
}

/** The boot id recorded in the run root by the last refresh, or '' when none. */
export async function recordedBootId(runRoot: string): Promise<string> {
  try {
    return (await readFile(join(runRoot, 'boot-id'), 'utf8')).trim();
  } catch {
    return '';
  }
}

export async function recordBootId(runRoot: string, bootId: string): Promise<void> {
  await mkdir(runRoot, { recursive: true, mode: 0o700 });
  await writeFile(join(runRoot, 'boot-id'), `${bootId}\n`);
}
