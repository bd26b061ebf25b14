// Checkpoint benchmark: CRIU 4.2 (Debian forky, private prefix, tools/setup-criu.sh) on a counter
// process, raw `runc checkpoint`/`runc restore` of a busybox container (the physical floor of
// a container checkpoint), podman 4.3 doing the same with the same CRIU, and corral's
// checkpoint-criu archive export/import around runc (podman's --export/--import side by side).
//   node --import tsx tools/bench/checkpoint.ts [--runs N]
// Medians of N runs (default 5). Everything runs through each tool's CLI except corral's
// archive code, which runs in-process (library calls), as the engine calls it.
import { execFileSync, spawn } from 'node:child_process';
import { sampleConfig } from '@corral/testkit/samples';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriuCheckpointBackend, DEFAULT_CRIU_PATH } from '@corral/checkpoint-criu';
import { median, timed, timedAsync } from './lib/measure.js';

const args = process.argv.slice(2);
const RUNS = (() => {
  const i = args.indexOf('--runs');
  return i >= 0 ? Number(args[i + 1]) : 5;
})();
const CRIU = process.env.CORRAL_CRIU ?? DEFAULT_CRIU_PATH;
const here = resolve(import.meta.dirname, '../..');
const logger = { child: () => logger, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as any;

function sh(cmd: string, argv: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
}
function readCount(file: string): number {
  try {
    return Number.parseInt(readFileSync(file, 'utf8').trim(), 10) || 0;
  } catch {
    return 0;
  }
}
async function waitCountAbove(file: string, value: number): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const n = readCount(file);
    if (n > value) return n;
    await sleep(50);
  }
  throw new Error(`counter ${file} stuck at ${readCount(file)}`);
}
/** Dumped children are PID 1's zombies until it reaps them; CRIU needs their pids back. */
async function waitSessionGone(sid: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const left = readdirSync('/proc').filter((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid;
      } catch {
        return false;
      }
    });
    if (left.length === 0) return;
    await sleep(50);
  }
  throw new Error(`session ${sid} did not go away`);
}

interface Row {
  what: string;
  ms: number;
}
const rows: Row[] = [];
const add = (what: string, samples: number[]) => rows.push({ what, ms: median(samples) });

async function benchProcess(work: string): Promise<void> {
  const dir = join(work, 'proc');
  await mkdir(dir);
  const countFile = join(dir, 'count');
  const out = openSync(join(dir, 'out'), 'w');
  const child = spawn('/bin/busybox', ['sh', '-c', `i=0; while :; do i=$((i+1)); echo $i > ${countFile}; sleep 0.1; done`], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = child.pid!;
  const exited = new Promise((r) => child.once('exit', r));
  const dumps: number[] = [];
  const restores: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      await waitCountAbove(countFile, readCount(countFile) + 2);
      const images = join(dir, `img-${i}`);
      await mkdir(images);
      dumps.push(timed(() => sh(CRIU, ['dump', '-t', String(pid), '-D', images, '-o', 'dump.log'])));
      if (i === 0) await exited;
      await waitSessionGone(pid);
      const before = readCount(countFile);
      try {
        restores.push(timed(() => sh(CRIU, ['restore', '-D', images, '-o', 'restore.log', '--restore-detached', '--pidfile', join(images, 'restored.pid')])));
      } catch (err) {
        const log = readFileSync(join(images, 'restore.log'), 'utf8').split('\n').filter((l) => l.startsWith('Error')).join('\n');
        throw new Error(`criu restore failed: ${log}`, { cause: err });
      }
      await waitCountAbove(countFile, before);
    }
  } finally {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  add('criu dump, host process tree (2 tasks)', dumps);
  add('criu restore --restore-detached, same tree', restores);
}

/** A runc bundle running the counter, its stdio on /dev/null (CRIU re-opens those by path). */
async function makeBundle(work: string, rootfs: string, name: string): Promise<string> {
  const bundle = join(work, name);
  await mkdir(bundle);
  sh('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  spec.root = { path: rootfs, readonly: false };
  spec.process.terminal = false;
  spec.process.rlimits = [];
  spec.process.args = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
  return bundle;
}

async function benchRuncAndArchives(work: string, rootfs: string): Promise<void> {
  const bundle = await makeBundle(work, rootfs, 'bundle');
  const id = `corral-bench-cr-${process.pid}`;
  const countFile = join(rootfs, 'tmp', 'count');
  const backend = new CriuCheckpointBackend({ criuPath: CRIU, logger, compression: 'gzip' });
  const cps: number[] = [];
  const rss: number[] = [];
  const exports: number[] = [];
  const imports: number[] = [];
  // /dev/null stdio: no pipe the container would hold open, and CRIU reopens it on restore.
  const detached = { stdio: 'ignore' as const };
  execFileSync('runc', ['run', '-d', '--bundle', bundle, id], detached);
  try {
    for (let i = 0; i < RUNS; i++) {
      await waitCountAbove(countFile, readCount(countFile) + 2);
      const images = join(work, `runc-img-${i}`);
      const t = performance.now();
      execFileSync('runc', ['--criu', CRIU, 'checkpoint', '--image-path', images, '--work-path', join(work, `runc-work-${i}`), id], detached);
      cps.push(performance.now() - t);

      const archive = join(work, `runc-${i}.tar.gz`);
      exports.push(await timedAsync(() => backend.exportArchive({ imageDir: images, config: benchConfig(), networkStatus: null }, archive)));
      const imported = join(work, `imported-${i}`);
      let imageDir = '';
      imports.push(await timedAsync(async () => (imageDir = (await backend.importArchive(archive, imported)).imageDir)));

      const before = readCount(countFile);
      const r = performance.now();
      execFileSync('runc', ['--criu', CRIU, 'restore', '-d', '--bundle', bundle, '--image-path', imageDir, '--work-path', join(work, `runc-rwork-${i}`), id], detached);
      rss.push(performance.now() - r);
      await waitCountAbove(countFile, before);
    }
  } finally {
    execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
  }
  add('runc checkpoint (busybox counter container)', cps);
  add('runc restore -d (from the imported archive)', rss);
  add('corral exportArchive gzip (images only)', exports);
  add('corral importArchive (validate + unpack)', imports);
}

function benchConfig() {
  return sampleConfig({ id: 'c0ffee'.repeat(10) + 'abcd', name: 'bench', imageId: 'b'.repeat(64), entrypoint: [], command: ['sh'], env: ['PATH=/bin'], hostname: 'bench', labels: {} });
}

/** podman finds CRIU on PATH (its own version check and runc's default --criu): put the wrapper first. */
async function benchPodman(work: string, tarball: string): Promise<boolean> {
  const env = { ...process.env, PATH: `${resolve(CRIU, '..')}:${process.env.PATH}` };
  const root = join(work, 'podman');
  const podman = (argv: string[]) => sh('podman', ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'overlay', '--runtime', 'runc', ...argv], env);
  try {
    podman(['import', '--quiet', tarball, 'localhost/bench:latest']);
    const cps: number[] = [];
    const rss: number[] = [];
    const exps: number[] = [];
    const imps: number[] = [];
    podman(['run', '-d', '--name', 'c0', '--network', 'none', 'localhost/bench:latest', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done']);
    for (let i = 0; i < RUNS; i++) {
      await sleep(300);
      cps.push(timed(() => podman(['container', 'checkpoint', 'c0'])));
      rss.push(timed(() => podman(['container', 'restore', 'c0'])));
      const archive = join(work, `podman-${i}.tar.gz`);
      await sleep(300);
      exps.push(timed(() => podman(['container', 'checkpoint', '--export', archive, '--compress', 'gzip', 'c0'])));
      imps.push(timed(() => podman(['container', 'restore', '--import', archive, '--name', `i${i}`])));
      podman(['rm', '-f', '-t', '0', `i${i}`]);
      podman(['container', 'restore', 'c0']);
    }
    add('podman container checkpoint', cps);
    add('podman container restore', rss);
    add('podman checkpoint --export (gzip)', exps);
    add('podman restore --import --name', imps);
    return true;
  } catch (err) {
    console.log(`podman with this CRIU failed, left out: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
    return false;
  } finally {
    try {
      podman(['rm', '-a', '-f', '-t', '0']);
      podman(['system', 'reset', '--force']);
    } catch {
      // a failed run may leave podman's root half made; removing the directory is enough
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(CRIU)) throw new Error(`${CRIU} is missing: run tools/setup-criu.sh`);
  const version = sh(CRIU, ['--version']).split('\n')[0];
  const work = await mkdtemp(join(tmpdir(), 'corral-bench-criu-'));
  try {
    const rootfs = join(work, 'rootfs');
    sh('bash', [join(here, 'tools/images/busybox-rootfs.sh'), rootfs]);
    const tarball = join(work, 'rootfs.tar');
    sh('bash', [join(here, 'tools/images/busybox-rootfs.sh'), '--tar', tarball]);

    const wrapper = timed(() => {
      for (let i = 0; i < 10; i++) sh(CRIU, ['--version']);
    });
    await benchProcess(work);
    await benchRuncAndArchives(work, rootfs);
    const podmanOk = await benchPodman(work, tarball);

    console.log(`\nCRIU ${version} via ${CRIU}; ${RUNS} runs each, medians; wrapper start (sh + ld.so + criu --version): ${(wrapper / 10).toFixed(1)} ms`);
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`${pad('operation', 52)} ms`);
    for (const r of rows) console.log(`${pad(r.what, 52)} ${r.ms.toFixed(0)}`);
    const get = (w: string) => rows.find((r) => r.what.startsWith(w))?.ms ?? NaN;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    console.log('\nratios');
    console.log(`runc checkpoint / criu dump (container overhead over bare CRIU)    ${ratio(get('runc checkpoint'), get('criu dump'))}`);
    console.log(`runc restore / criu restore                                      ${ratio(get('runc restore'), get('criu restore'))}`);
    const corralExport = get('runc checkpoint') + get('corral exportArchive');
    const corralImport = get('corral importArchive') + get('runc restore');
    console.log(`(runc checkpoint + corral export) / runc checkpoint               ${ratio(corralExport, get('runc checkpoint'))}`);
    console.log(`(corral import + runc restore) / runc restore                     ${ratio(corralImport, get('runc restore'))}`);
    if (podmanOk) {
      console.log(`podman checkpoint / runc checkpoint                               ${ratio(get('podman container checkpoint'), get('runc checkpoint'))}`);
      console.log(`podman restore / runc restore                                     ${ratio(get('podman container restore'), get('runc restore'))}`);
      console.log(`podman checkpoint --export / (runc checkpoint + corral export)    ${ratio(get('podman checkpoint --export'), corralExport)}`);
      console.log(`podman restore --import / (corral import + runc restore)          ${ratio(get('podman restore --import'), corralImport)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
