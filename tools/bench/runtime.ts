// OCI runtime benchmark: runtime-conmon (library calls, in-process) side by side with the
// raw runc calls it makes and with podman 4.3 (its CLI, private root), in one run.
//   node --import tsx tools/bench/runtime.ts [--n N]
// 1. lifecycle of `true`: create+start+wait+delete. Raw runc: `runc create` (with the very
//    config.json the library writes), `runc start`, wait for the pid, `runc delete`.
//    podman: `podman run --rm` on an image imported from the same rootfs.
// 2. exec of `true` in a running container (attached, exit code read back).
// 3. pause + resume.
// Medians over N rounds (default 20); ratios against raw runc, the physical floor.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { emptyImageConfig, type ContainerConfig, type RuntimeCreateRequest } from '@corral/core';
import { ConmonRuntime, buildSpec, readHostInfo } from '@corral/runtime-conmon';
import { median, timedAsync as time } from './lib/measure.js';
import { unmountUnder } from '@corral/testkit/host-cleanup';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--n') + 1] || 20) || 20;
const here = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'corral-bench-runtime-'));
const rootfs = join(work, 'rootfs');
const runDir = join(work, 'run');
const runcRoot = join(work, 'runc-raw');
const podman = ['--root', join(work, 'p-root'), '--runroot', join(work, 'p-run'), '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];

const newId = () => randomBytes(32).toString('hex');
async function sample(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < N; i++) xs.push(await time(fn));
  return median(xs);
}

function sh(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `runc create`/`run -d`: the container inherits runc's stdio, so no pipes to wait on. */
function runcDetached(argv: string[]): void {
  const r = spawnSync('runc', argv, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`runc ${argv.join(' ')} failed with status ${r.status}`);
}

function config(command: string[]): ContainerConfig {
  const id = newId();
  return {
    id, name: `bench-${id.slice(0, 8)}`, image: 'busybox', imageId: 'b'.repeat(64), entrypoint: [], command,
    env: ['PATH=/bin'], workingDir: '/', user: '', hostname: '', labels: {}, annotations: {}, terminal: false,
    stdin: false, stopSignal: 15, stopTimeout: 10, restartPolicy: { name: 'no', maxRetries: 0 }, autoRemove: false,
    network: { mode: 'none', attachments: [], ports: [], dnsServers: [], dnsSearch: [], extraHosts: [] }, mounts: [],
    resources: { memory: 0, cpus: 0, pidsLimit: 0 }, runtime: 'runc', logDriver: 'k8s-file', logSizeMax: 0,
    readOnly: false, capAdd: [], capDrop: [], privileged: false, dependencies: [], createdAt: new Date().toISOString(),
  };
}
const request = (command: string[]): RuntimeCreateRequest => ({ config: config(command), image: emptyImageConfig(), rootfs, netnsPath: '', etcFiles: {}, logPath: '' });

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const rows: { what: string; lib: number; runc: number; podman: number }[] = [];
function row(what: string, lib: number, runc: number, pod: number): void {
  rows.push({ what, lib, runc, podman: pod });
  const f = (x: number) => x.toFixed(1).padStart(8);
  console.log(`${what.padEnd(34)} library ${f(lib)} ms   raw runc ${f(runc)} ms   podman ${f(pod)} ms`);
}

async function main(): Promise<void> {
  execFileSync('bash', [join(here, 'tools/images/busybox-rootfs.sh'), rootfs]);
  const tar = join(work, 'rootfs.tar');
  execFileSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.']);
  sh('podman', [...podman, 'import', '--quiet', tar, 'localhost/busybox']);
  const rt = new ConmonRuntime({ runDir });
  const host = readHostInfo();
  console.log(`runtime benchmark: medians of ${N} rounds (after one warm-up)\n`);

  // 1. Lifecycle of `true`.
  const lib = await sample(async () => {
    const req = request(['true']);
    await rt.create(req);
    await rt.start(req.config.id);
    await rt.waitExit(req.config.id, { timeoutMs: 30_000 });
    await rt.delete(req.config.id, false);
  });
  const raw = await sample(() => {
    const req = request(['true']);
    const id = req.config.id;
    const bundle = join(work, 'bundles', id);
    mkdirSync(bundle, { recursive: true });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(buildSpec(req, host)));
    runcDetached(['--root', runcRoot, 'create', '--bundle', bundle, '--pid-file', join(bundle, 'pid'), id]);
    const pid = Number(readFileSync(join(bundle, 'pid'), 'utf8'));
    sh('runc', ['--root', runcRoot, 'start', id]);
    while (alive(pid)) { /* spin: `true` is gone within a millisecond or two */ }
    sh('runc', ['--root', runcRoot, 'delete', id]);
    rmSync(bundle, { recursive: true });
  });
  const pod = await sample(() => sh('podman', [...podman, 'run', '--rm', '--network', 'none', 'localhost/busybox', 'true']));
  row('create+start+wait+delete `true`', lib, raw, pod);

  // 2. exec of `true` in a running container.
  const target = request(['sleep', '100000']);
  await rt.create(target);
  await rt.start(target.config.id);
  const execLib = await sample(async () => {
    const s = await rt.exec(target.config.id, newId(), {
      command: ['true'], env: [], workingDir: '', user: '', terminal: false, attachStdin: false,
      attachStdout: true, attachStderr: true, privileged: false, detachKeys: '',
    }, { stdout: new PassThrough(), stderr: new PassThrough() });
    await s.exited;
  });
  const rawTarget = request(['sleep', '100000']);
  const rawBundle = join(work, 'bundles', rawTarget.config.id);
  mkdirSync(rawBundle, { recursive: true });
  writeFileSync(join(rawBundle, 'config.json'), JSON.stringify(buildSpec(rawTarget, host)));
  runcDetached(['--root', runcRoot, 'run', '--detach', '--bundle', rawBundle, rawTarget.config.id]);
  const execRaw = await sample(() => sh('runc', ['--root', runcRoot, 'exec', rawTarget.config.id, 'true']));
  sh('podman', [...podman, 'run', '-d', '--name', 'bench-target', '--network', 'none', 'localhost/busybox', 'sleep', '100000']);
  const execPod = await sample(() => sh('podman', [...podman, 'exec', 'bench-target', 'true']));
  row('exec `true`', execLib, execRaw, execPod);

  // 3. pause + resume.
  const pauseLib = await sample(async () => {
    await rt.pause(target.config.id);
    await rt.resume(target.config.id);
  });
  const pauseRaw = await sample(() => {
    sh('runc', ['--root', runcRoot, 'pause', rawTarget.config.id]);
    sh('runc', ['--root', runcRoot, 'resume', rawTarget.config.id]);
  });
  const pausePod = await sample(() => {
    sh('podman', [...podman, 'pause', 'bench-target']);
    sh('podman', [...podman, 'unpause', 'bench-target']);
  });
  row('pause + resume', pauseLib, pauseRaw, pausePod);

  await rt.delete(target.config.id, true);
  sh('runc', ['--root', runcRoot, 'delete', '--force', rawTarget.config.id]);

  console.log('\nratios:                            library/runc   podman/runc   library/podman');
  for (const r of rows) {
    console.log(`  ${r.what.padEnd(32)} ${(r.lib / r.runc).toFixed(2).padStart(12)} ${(r.podman / r.runc).toFixed(2).padStart(13)} ${(r.lib / r.podman).toFixed(2).padStart(16)}`);
  }
  const life = rows[0]!;
  console.log(`\ntarget: lifecycle through the library <= 1.5x raw runc: ${(life.lib / life.runc).toFixed(2)}x ${life.lib / life.runc <= 1.5 ? 'OK' : 'OVER'}`);
}

try {
  await main();
} finally {
  spawnSync('podman', [...podman, 'rm', '--all', '--force', '--time', '0'], { stdio: 'ignore' });
  unmountUnder(work);
  rmSync(work, { recursive: true, force: true });
}
