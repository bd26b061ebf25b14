import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

/** The end-to-end tests run the bundled command, as users do: build it first. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
  execFileSync(process.execPath, [join(root, 'tools/build-cli.mjs')], { stdio: 'inherit' });
}
