import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTsx } from '@corral/testkit/child-process';

export { finished, waitForOutput } from '@corral/testkit/child-process';

const here = dirname(fileURLToPath(import.meta.url));

/** Starts test/helpers/<script> under tsx. */
export function spawnHelper(script: string, args: string[]): ChildProcess {
  return spawnTsx(join(here, script), args, join(here, '..', '..'));
}
