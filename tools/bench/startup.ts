// Start-up cost of the bundled `corral` command: medians of `node -e 0` (the floor) and
// of commands that do little besides starting, each with its excess over the floor.
// Issue 7's target: corral's own time above the floor at most ~25 ms.
//   node --import tsx tools/bench/startup.ts [--runs N] [--ps 50] [--dist DIR]
// The bundle is built into a private directory inside the repo (externals resolve from
// node_modules), so that tests rebuilding packages/cli/dist meanwhile cannot disturb it;
// --dist DIR measures an existing build instead (DIR/corral).
import { execFileSync, spawnSync } from 'node:child_process';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeNodeStart, median, nodeStart, timed } from './lib/measure.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 15);
const PS_COUNT = opt('--ps', 50);
const repo = resolve(import.meta.dirname, '../..');
const given = args.includes('--dist') ? resolve(args[args.indexOf('--dist') + 1]!) : undefined;
const dist = given ?? join(repo, 'node_modules/.cache', `corral-bench-startup-${process.pid}`);
const CORRAL = join(dist, 'corral');

const work = mkdtempSync(join(tmpdir(), 'corral-bench-startup-'));
const env = { ...process.env, CORRAL_CONFIG: join(work, 'none.toml') };
const stores = {
  empty: ['--root', join(work, 'empty-root'), '--runroot', join(work, 'empty-run')],
  full: ['--root', join(work, 'root'), '--runroot', join(work, 'run')],
};

/** Runs `corral` as users do, or `node ENTRY` when given (in this shell's environment). */
function corral(store: keyof typeof stores, argv: string[], entry?: string): string {
  const [bin, pre] = entry ? [process.execPath, [entry]] : [CORRAL, []];
  const r = spawnSync(bin, [...pre, ...stores[store], ...argv], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`corral ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Median wall time of `fn` over RUNS runs, after one warm-up run (page cache). */
function time(fn: () => void): number {
  fn();
  return median(Array.from({ length: RUNS }, () => timed(fn)));
}

function main(): void {
  if (!given) execFileSync(process.execPath, [join(repo, 'tools/build-cli.mjs'), '--outdir', dist]);
  const tar = join(work, 'busybox.tar');
  execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
  corral('full', ['import', '--quiet', tar, 'busybox']);
  corral('empty', ['ps', '-a']);

  const start = nodeStart(RUNS);
  const floor = start.floor;
  const rows: [string, number][] = [];
  const row = (what: string, ms: number) => {
    rows.push([what, ms]);
    console.log(`${what.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms   excess ${(ms - floor).toFixed(1).padStart(6)} ms`);
  };
  console.log(`${describeNodeStart(start)}; ${RUNS} runs each, medians`);
  row('corral version', time(() => corral('empty', ['version'])));
  row('corral ps -a (empty store)', time(() => corral('empty', ['ps', '-a'])));
  // The JavaScript launcher under node, in this shell's environment (CA bundle and all).
  row('  same, as node corral.cjs', time(() => corral('empty', ['ps', '-a'], join(dist, 'corral.cjs'))));
  // The first run of a command after a build compiles it and writes its code cache.
  const cacheDir = join(dist, 'cache');
  if (existsSync(cacheDir)) {
    row('  same, without code cache', time(() => {
      rmSync(cacheDir, { recursive: true, force: true });
      corral('empty', ['ps', '-a']);
    }));
  }

  const exited = corral('full', ['run', '-d', 'busybox', 'true']).trim();
  corral('full', ['wait', exited]);
  for (let i = 1; i < PS_COUNT; i++) corral('full', ['create', 'busybox', 'true']);
  row(`corral ps -a (${PS_COUNT} containers)`, time(() => corral('full', ['ps', '-a'])));
  row('corral container cleanup (exited)', time(() => corral('full', ['container', 'cleanup', exited])));
}

try {
  main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  spawnSync(CORRAL, [...stores.full, 'rm', '--all', '--force', '--time', '0'], { env, stdio: 'ignore' });
  unmountUnder(work);
  rmSync(work, { recursive: true, force: true });
  if (!given) rmSync(dist, { recursive: true, force: true });
}
