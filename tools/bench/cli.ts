// The CLI side by side with podman, same busybox image, one run; prints medians and
// ratios. The floor of a corral command is Node's own start (`node -e 0`) plus the raw
// runc calls it makes; "own" is what corral adds above that floor.
//   node --import tsx tools/bench/cli.ts [--runs N] [--ps 300]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { unmountUnder } from '@corral/testkit/host-cleanup';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeNodeStart, median, nodeStart, timed, timedAsync } from './lib/measure.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 10);
const PS_COUNT = opt('--ps', 300);
const repo = resolve(import.meta.dirname, '../..');
const CORRAL = join(repo, 'packages/cli/dist/corral');

const work = mkdtempSync(join(tmpdir(), 'corral-bench-cli-'));
const corralArgs = ['--root', join(work, 'c-root'), '--runroot', join(work, 'c-run')];
const podmanArgs = ['--root', join(work, 'p-root'), '--runroot', join(work, 'p-run'), '--storage-driver', 'overlay'];

type Engine = 'corral' | 'podman';
const cmd = (engine: Engine, argv: string[]): [string, string[]] =>
  engine === 'corral' ? [CORRAL, [...corralArgs, ...argv]] : ['podman', [...podmanArgs, ...argv]];

function run(engine: Engine, argv: string[]): string {
  const [bin, full] = cmd(engine, argv);
  const r = spawnSync(bin, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${engine} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function runAsync(engine: Engine, argv: string[]): Promise<void> {
  const [bin, full] = cmd(engine, argv);
  return new Promise((res, rej) => {
    const c = spawn(bin, full, { stdio: 'ignore' });
    c.on('close', (code) => (code === 0 ? res() : rej(new Error(`${engine} ${argv.join(' ')}: ${code}`))));
  });
}

const rows: { what: string; corral: number; podman: number }[] = [];
/** Corral's own time: its median less the floor (Node's start per command plus the raw runc calls). */
const own: { what: string; corral: number; floor: number }[] = [];
function row(what: string, corral: number, podman: number): void {
  rows.push({ what, corral, podman });
  console.log(`${what.padEnd(38)} corral ${corral.toFixed(1).padStart(8)} ms   podman ${podman.toFixed(1).padStart(8)} ms   ratio ${(corral / podman).toFixed(2)}`);
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [join(repo, 'tools/build-cli.mjs')]);
  const tar = join(work, 'busybox.tar');
  execFileSync(join(repo, 'tools/images/busybox-rootfs.sh'), ['--tar', tar]);
  for (const e of ['corral', 'podman'] as Engine[]) run(e, ['import', '--quiet', tar, 'busybox']);

  const start = nodeStart(RUNS);
  const nodeFloor = start.floor;
  console.log(describeNodeStart(start));

  const both = (what: string, argv: string[], n = RUNS) => {
    const t = (e: Engine) => median(Array.from({ length: n }, () => timed(() => run(e, argv))));
    row(what, t('corral'), t('podman'));
  };
  both('ps -a (empty)', ['ps', '-a']);
  own.push({ what: 'ps -a (empty)', corral: rows.at(-1)!.corral, floor: nodeFloor });
  // Both bridges held up by a sleeping container, so neither run builds or removes its
  // bridge (netavark does both when the last container leaves, ~170 ms each way here);
  // a podman bridge leaked by an earlier run would otherwise favour podman.
  for (const e of ['corral', 'podman'] as Engine[]) run(e, ['run', '-d', '--name', 'bridge-holder', 'busybox', 'sleep', '600']);
  both('run --rm busybox true (bridges warm)', ['run', '--rm', 'busybox', 'true']);
  both('run --rm --network none busybox true', ['run', '--rm', '--network', 'none', 'busybox', 'true']);

  const lifecycle = (e: Engine) =>
    timed(() => {
      for (let i = 0; i < 30; i++) {
        const id = run(e, ['create', 'busybox', 'true']).trim();
        run(e, ['start', id]);
        run(e, ['wait', id]);
        run(e, ['rm', id]);
      }
    });
  row('create/start/wait/rm x30 (bridges warm)', lifecycle('corral'), lifecycle('podman'));
  for (const e of ['corral', 'podman'] as Engine[]) run(e, ['rm', '--force', '--time', '0', 'bridge-holder']);

  const parallel = async (e: Engine) => {
    const t = await timedAsync(async () => {
      await Promise.all(Array.from({ length: 20 }, () => runAsync(e, ['run', '-d', 'busybox', 'sleep', '600'])));
    });
    run(e, ['rm', '--all', '--force', '--time', '0']);
    return t;
  };
  row('20 parallel run -d', await parallel('corral'), await parallel('podman'));

  for (const e of ['corral', 'podman'] as Engine[]) run(e, ['run', '-d', '--name', 'target', 'busybox', 'sh', '-c', "trap '' TERM; sleep 600"]);
  both('exec target true', ['exec', 'target', 'true']);
  // The raw runc calls behind exec and pause/unpause, on corral's own container.
  const id = run('corral', ['inspect', '--format', '{{.Id}}', 'target']).trim();
  const runc = (verb: string, ...rest: string[]) => {
    const r = spawnSync('runc', ['--root', join(work, 'c-run', 'runtime-conmon', 'runtimes', 'runc'), verb, id, ...rest], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`runc ${verb} ${id} failed (${r.status})`);
  };
  const rawExec = median(Array.from({ length: RUNS }, () => timed(() => runc('exec', 'true'))));
  own.push({ what: 'exec target true', corral: rows.at(-1)!.corral, floor: nodeFloor + rawExec });
  const rawPause = median(Array.from({ length: RUNS }, () => timed(() => {
    runc('pause');
    runc('resume');
  })));
  const pauseCycle = (e: Engine) => median(Array.from({ length: RUNS }, () => timed(() => {
    run(e, ['pause', 'target']);
    run(e, ['unpause', 'target']);
  })));
  row('pause + unpause', pauseCycle('corral'), pauseCycle('podman'));
  own.push({ what: 'pause + unpause', corral: rows.at(-1)!.corral, floor: 2 * nodeFloor + rawPause });
  both('stop -t 2 (ignores SIGTERM)', ['stop', '-t', '2', 'target'], 1);
  for (const e of ['corral', 'podman'] as Engine[]) run(e, ['rm', '--all', '--force', '--time', '0']);

  for (const e of ['corral', 'podman'] as Engine[]) {
    for (let i = 0; i < PS_COUNT; i++) run(e, ['create', 'busybox', 'true']);
  }
  both(`ps -a with ${PS_COUNT} containers`, ['ps', '-a']);
  own.push({ what: `ps -a with ${PS_COUNT} containers`, corral: rows.at(-1)!.corral, floor: nodeFloor });

  console.log('\ncorral\'s own time above the floor (Node per command + raw runc; target <= 25 ms):');
  for (const o of own) console.log(`  ${o.what.padEnd(38)} ${o.corral.toFixed(1).padStart(8)} - ${o.floor.toFixed(1).padStart(7)} = ${(o.corral - o.floor).toFixed(1).padStart(7)} ms`);
  console.log('\nratios (corral / podman):');
  for (const r of rows) console.log(`  ${r.what.padEnd(38)} ${(r.corral / r.podman).toFixed(2)}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const e of ['corral', 'podman'] as Engine[]) spawnSync(...cmd(e, ['rm', '--all', '--force', '--time', '0']));
    unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  });
