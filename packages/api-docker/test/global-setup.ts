import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
/** The CLI bundle conmon's exit command runs; built here so as not to race the CLI's own tests over packages/cli/dist. */
export const CLI_BUNDLE_DIR = join(here, '../dist/cli');

export default async function setup(): Promise<void> {
  await rm(CLI_BUNDLE_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [join(repo, 'packages/cli/src/bin.ts')],
    outdir: CLI_BUNDLE_DIR,
    entryNames: 'corral',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['better-sqlite3', 'fs-ext', 'node-unix-socket', '@napi-rs/xattr'],
    banner: {
      js: "import { createRequire as __corralRequire } from 'node:module';\nconst require = __corralRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
