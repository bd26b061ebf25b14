import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
/** The CLI bundle conmon's exit command runs; built here so as not to race the CLI's own tests over packages/cli/dist. */
export const CLI_BUNDLE_DIR = join(here, '../dist/cli');

export default function setup(): void {
  execFileSync(process.execPath, [join(repo, 'tools/build-cli.mjs'), '--outdir', CLI_BUNDLE_DIR], { stdio: 'inherit' });
}
