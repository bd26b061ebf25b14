// Bundles the `corral` command into packages/cli/dist:
//   bundle.cjs   every command and plugin in one CommonJS file;
//   corral.cjs   the launcher: runs bundle.cjs with a per-command V8 code cache;
//   corral       the command users and tests run: a sh script
//                that starts corral.cjs without NODE_EXTRA_CA_CERTS (see shLauncher).
// Native addons stay external (they load .node files from node_modules).
//
// Why this shape (measured with tools/bench/startup.ts; Node 20 has no
// module.enableCompileCache, which arrived in 22.1):
// - One file, not ESM chunks: Node 20's ESM loader reads, links and compiles each chunk
//   separately, and code splitting made ~35 of them for `corral ps`. In one CommonJS
//   file esbuild still initialises a module reached only through import() on first use
//   (its __esm wrappers), so a command runs only the code it needs.
// - The code cache: compiling what a command runs is a large part of its start-up. The
//   launcher keeps the V8 code cache of each command next to the bundle, so a command
//   compiles only on its first run after a build.
// - A CommonJS launcher: an .mjs entry costs Node's ESM loader (~5 ms).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --outdir DIR builds elsewhere (benchmarks, so that a concurrent test run's rebuild of
// packages/cli/dist cannot pull files from under them). DIR must be inside the repo:
// the externals resolve from its node_modules.
const flag = process.argv.indexOf('--outdir');
const outdir = flag > 0 && process.argv[flag + 1] ? resolve(process.argv[flag + 1]) : join(root, 'packages/cli/dist');
const SQLITE_ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';
// node-unix-socket's JavaScript is bundled (see unixSocketAddon); its prebuilt addon
// packages (node-unix-socket-linux-x64-gnu, ...) stay outside.
const EXTERNAL = ['fs-ext', 'node-unix-socket-*', '@napi-rs/xattr', SQLITE_ADDON];

/**
 * Core's index re-exports everything, so one `import { InvalidArgumentError } from
 * '@corral/core'` in the argument parser would initialise all of core (tsyringe, pino,
 * OpenTelemetry) before `corral version` prints a line. In the CLI's front files (the
 * ones every command loads) value imports from '@corral/core' are rewritten to the core
 * modules that define them; type imports are erased anyway. A name this map cannot
 * place leaves its statement on the barrel: correct, only slower. (Rewriting every
 * source file this way was measured too: no gain on `ps`, whose engine start loads most
 * of core anyway.)
 */
const coreSrc = join(root, 'packages/core/src');
const frontFiles = /\/packages\/cli\/src\/[^/]+\.ts$/;
const sourceFiles = /\/packages\/[^/]+\/src\/.+\.ts$/;

function coreExportMap() {
  const map = new Map();
  const index = readFileSync(join(coreSrc, 'index.ts'), 'utf8');
  const named = (list, file) => {
    for (const spec of list.split(',')) {
      const m = /^\s*(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(spec);
      if (m && !m[1]) map.set(m[3] ?? m[2], { file, name: m[2] });
    }
  };
  for (const m of index.matchAll(/^export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+'(\.[^']+)\.js';/gm)) {
    if (m[1]) continue;
    const file = join(coreSrc, `${m[3]}.ts`);
    if (m[2] !== '*') {
      named(m[2].slice(1, -1), file);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const d of text.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|enum)\s+([\w$]+)/gm)) {
      map.set(d[1], { file, name: d[1] });
    }
    for (const d of text.matchAll(/^export\s*\{([^}]*)\}\s*;/gm)) named(d[1], file);
  }
  return map;
}

/**
 * createRequire(import.meta.url)('pkg') is how a source loads a bundled package
 * synchronously on first use (the CLI's logger makes pino only when a message is
 * logged): Node runs it as it is under the tests, and here it becomes a plain require()
 * that esbuild bundles and initialises on that first call. Built-ins and addons stay
 * runtime requires.
 */
function bundleCreateRequire(text) {
  return text.replace(/\bcreateRequire\(import\.meta\.url\)\((['"])([^'"]+)\1\)/g, (call, q, id) =>
    id.startsWith('node:') || EXTERNAL.includes(id) ? call : `require(${JSON.stringify(id)})`,
  );
}

const coreBarrel = {
  name: 'core-barrel',
  setup(b) {
    const exports = coreExportMap();
    b.onLoad({ filter: sourceFiles }, (args) => {
      const text = bundleCreateRequire(readFileSync(args.path, 'utf8'));
      if (!frontFiles.test(args.path)) return { contents: text, loader: 'ts' };
      const contents = text.replace(/^import\s*\{([^}]*)\}\s*from\s*'@corral\/core';/gm, (stmt, list) => {
        const byFile = new Map();
        for (const raw of list.split(',')) {
          const spec = raw.trim();
          if (!spec || spec.startsWith('type ')) continue;
          const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(spec);
          const found = m && exports.get(m[1]);
          if (!found) return stmt;
          const local = m[2] ?? m[1];
          byFile.set(found.file, [...(byFile.get(found.file) ?? []), found.name === local ? local : `${found.name} as ${local}`]);
        }
        return [...byFile].map(([file, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(file)};`).join(' ');
      });
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * import() of an external (a native addon, a node: builtin) would stay a real dynamic
 * import in CommonJS output, which code compiled through vm.Script can only do through
 * an experimental hook that prints a warning. Such imports become require() behind a
 * module esbuild initialises lazily, which is what they meant.
 */
const externalImports = {
  name: 'external-imports',
  setup(b) {
    // An EXTERNAL entry may end in * (esbuild's wildcard): here it matches anything.
    const pattern = EXTERNAL.map((e) => e.replace(/[/.]/g, '\\$&').replace(/\*/g, '.*')).join('|');
    const externals = new RegExp(`^(node:.*|${pattern})$`);
    b.onResolve({ filter: externals }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'external-import' } : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'external-import' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * better-sqlite3's JavaScript goes into the bundle (it is a dozen CommonJS files that
 * Node would otherwise resolve and compile one by one on every command); only its addon
 * stays outside. The package finds the addon through `bindings`, which searches from
 * the caller's file name, so that one call names the addon's place in node_modules.
 */
const sqliteAddon = {
  name: 'sqlite-addon',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const call = "require('bindings')('better_sqlite3.node')";
      if (!text.includes(call)) throw new Error(`build-cli: ${args.path} no longer loads its addon with ${call}`);
      return { contents: text.replace(call, `require(${JSON.stringify(SQLITE_ADDON)})`), loader: 'js' };
    });
  },
};

/**
 * node-unix-socket picks its prebuilt addon by asking whether libc is musl, through
 * process.report.getReport(): a full diagnostic report, ~6 ms of every exec and
 * attach. Its own fallback (is /usr/bin/ldd musl's?) answers the same here at once.
 * The package's local `../*.node` probes stay as they are, outside the bundle.
 */
const unixSocketAddon = {
  name: 'unix-socket-addon',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /[\\/]node_modules[\\/]node-unix-socket[\\/]js[\\/]addon\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const probe = "if (!process.report || typeof process.report.getReport !== 'function') {";
      if (!text.includes(probe)) throw new Error(`build-cli: ${args.path} no longer probes libc with process.report`);
      return { contents: text.replace(probe, 'if (true) {'), loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'packages/cli/src/bin.ts')],
  bundle: true,
  write: false,
  outfile: join(outdir, 'bundle.cjs'),
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  external: EXTERNAL,
  // The launcher's URL: the exit command re-runs it, and createRequire() resolves from it.
  define: { 'import.meta.url': '__corralEntryUrl' },
  plugins: [coreBarrel, externalImports, sqliteAddon, unixSocketAddon],
  logLevel: 'warning',
});
// Pure ASCII (esbuild leaves a non-ASCII character in a regular expression as it is):
// V8 then holds the source as a one-byte string, and the launcher reads it as latin1,
// which decodes several times faster than UTF-8 with a character beyond ASCII.
const bundle = result.outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (/\bimport\(/.test(bundle.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""'))) {
  throw new Error('build-cli: the bundle still contains a dynamic import(), which vm.Script cannot run');
}

/**
 * V8 accepts a code cache for any source of the same length, so the cache files carry
 * the bundle's hash: a rebuild never runs stale code. One cache per command keeps each
 * small (what that command compiled) and deterministic. A cache is written at exit when
 * there was none or V8 rejected it (another Node, other flags); a directory that is not
 * writable just means no cache.
 */
const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
const launcher = `#!/usr/bin/env node
// Generated by tools/build-cli.mjs: runs bundle.cjs with a per-command V8 code cache.
'use strict';
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { parseArgs } = require('node:util');
const { Script } = require('node:vm');

const file = join(__dirname, 'bundle.cjs');
const GLOBAL_VALUES = ${JSON.stringify(['root', 'runroot', 'runtime', 'config', 'events-backend', 'log-level'])};
function commandKey(argv) {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: argv, options: Object.fromEntries(GLOBAL_VALUES.map((o) => [o, { type: 'string' }])), strict: false, allowPositionals: true, tokens: true }));
  } catch {
    return 'other';
  }
  const words = tokens.filter((t) => t.kind === 'positional').slice(0, 2).map((t) => t.value);
  if (!['container', 'image', 'network', 'system'].includes(words[0])) words.length = Math.min(words.length, 1);
  const key = words.join('-');
  return /^[a-z][a-z-]{0,40}$/.test(key) ? key : 'other';
}
const cacheDir = join(__dirname, 'cache');
const cacheFile = join(cacheDir, \`${hash}-\${commandKey(process.argv.slice(2))}.v8\`);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script('(function (exports, require, module, __filename, __dirname, __corralEntryUrl) {' + readFileSync(file, 'latin1') + '\\n})', {
  filename: file,
  cachedData,
});
if (cachedData === undefined || script.cachedDataRejected) {
  // Only after a successful run: a mistyped command must not leave a cache behind.
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = \`\${cacheFile}.\${process.pid}\`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install runs without a cache
    }
  });
}
const bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, createRequire(file), bundleModule, file, __dirname, pathToFileURL(__filename).href);
`;
/**
 * Corral makes no TLS connection, yet Node parses the whole CA bundle named by
 * NODE_EXTRA_CA_CERTS when it starts, before any of our code runs: 40 of the 60 ms
 * `node -e 0` takes on machines that set it (as these do). The command therefore
 * starts Node without it. (conmon, and through it the exit command, get a minimal
 * environment of their own.) The path is fixed at build time: the script cannot
 * resolve the symlink on PATH without running another program.
 */
const shQuote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
const shLauncher = `#!/bin/sh
# Generated by tools/build-cli.mjs: the corral command (see shLauncher there).
unset NODE_EXTRA_CA_CERTS
exec node ${shQuote(join(outdir, 'corral.cjs'))} "$@"
`;

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await writeFile(join(outdir, 'bundle.cjs'), bundle);
await writeFile(join(outdir, 'corral.cjs'), launcher);
await writeFile(join(outdir, 'corral'), shLauncher);
await chmod(join(outdir, 'corral.cjs'), 0o755);
await chmod(join(outdir, 'corral'), 0o755);
