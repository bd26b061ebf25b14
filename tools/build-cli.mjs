// Bundles the `corral` command into one file, packages/cli/dist/corral.mjs. Native
// addons stay external (they load their .node files from node_modules). Every
// command and plugin is a lazily evaluated part of the bundle, so start-up only
// pays for what a command uses.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'packages/cli/dist/corral.mjs');

await build({
  entryPoints: [join(root, 'packages/cli/src/bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifySyntax: true,
  legalComments: 'none',
  external: ['better-sqlite3', 'fs-ext', 'node-unix-socket'],
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
await chmod(outfile, 0o755);
