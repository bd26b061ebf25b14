// Bundles the `corral` command: the entry packages/cli/dist/corral.mjs plus chunks
// that it imports on demand. Native addons stay external (they load .node files from
// node_modules). Splitting matters for start-up: an external import sits at the top of
// the chunk that needs it, so `corral ps` never loads better-sqlite3's event backend
// and no command compiles code it does not run.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'packages/cli/dist');

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'packages/cli/src/bin.ts')],
  outdir,
  entryNames: 'corral',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifySyntax: true,
  legalComments: 'none',
  external: ['better-sqlite3', 'fs-ext', 'node-unix-socket', '@napi-rs/xattr'],
  banner: {
    js: [
      '#!/usr/bin/env node',
      // CommonJS dependencies inside an ESM bundle need require and __dirname.
      "import { createRequire as __corralRequire } from 'node:module';",
      'const require = __corralRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
await chmod(join(outdir, 'corral.mjs'), 0o755);
