// Storage benchmark: corral's storage-overlay against podman 4.3 (private root, overlay driver).
//   node --import tsx tools/bench/storage.ts [--containers N] [--mb M]
// 1. import of a root filesystem tarball: busybox plus an M MB random file (default 100)
// 2. N container root filesystems created and mounted (default 100); podman: `podman create`
//    per container (podman mounts at start), and `podman mount` of all of them in one call.
// corral runs in-process (library calls); podman is its CLI, so its figures include
// one Go process start per call. Both are what a user of each gets.
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openOverlayStore } from '@corral/storage-overlay';
import { unmountUnder } from '@corral/testkit/host-cleanup';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CONTAINERS = opt('--containers', 100);
const MB = opt('--mb', 100);

const logger = { child: () => logger, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as any;
const here = resolve(import.meta.dirname, '../..');

function sh(cmd: string, argv: string[]): string {
  return execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, r];
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'corral-bench-storage-'));
  const podRoot = join(work, 'podman');
  const podman = (argv: string[]) =>
    sh('podman', ['--root', join(podRoot, 'root'), '--runroot', join(podRoot, 'run'), '--storage-driver', 'overlay', '--runtime', 'runc', ...argv]);
  const rows: { what: string; corral: number; podman: number }[] = [];
  try {
    const tree = join(work, 'tree');
    sh('bash', [join(here, 'tools/images/busybox-rootfs.sh'), tree]);
    sh('dd', ['if=/dev/urandom', `of=${join(tree, 'random.bin')}`, 'bs=1M', `count=${MB}`, 'status=none']);
    const tarball = join(work, 'rootfs.tar');
    sh('tar', ['--numeric-owner', '-C', tree, '-cf', tarball, '.']);
    sh('sync', []);

    const store = await openOverlayStore(join(work, 'corral'), logger);
    const [corralImport, img] = await time(() => store.images.importRootfs(createReadStream(tarball), { reference: 'bench' }));
    const [podmanImport] = await time(() => podman(['import', '--quiet', tarball, 'localhost/bench:latest']));
    rows.push({ what: `import ${MB} MB rootfs`, corral: corralImport, podman: podmanImport });

    const ids = Array.from({ length: CONTAINERS }, (_, i) => `bench${i}`);
    const [corralCreate] = await time(async () => {
      for (const id of ids) {
        await store.rootfs.create(id, img.id);
        await store.rootfs.mount(id);
      }
    });
    const [podmanCreate] = await time(() => {
      for (const id of ids) podman(['create', '--name', id, '--network', 'none', 'localhost/bench:latest', 'true']);
    });
    const [podmanMount] = await time(() => podman(['mount', ...ids]));
    rows.push({ what: `${CONTAINERS} × create + mount (podman: create each)`, corral: corralCreate, podman: podmanCreate });
    rows.push({ what: `${CONTAINERS} × create + mount (podman: create each + one mount call)`, corral: corralCreate, podman: podmanCreate + podmanMount });

    const [corralRemove] = await time(async () => {
      for (const id of ids) await store.rootfs.remove(id);
    });
    const [podmanRemove] = await time(() => podman(['rm', '--force', ...ids]));
    rows.push({ what: `${CONTAINERS} × unmount + remove (podman: one rm call)`, corral: corralRemove, podman: podmanRemove });
    store.close();

    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`\nstorage benchmark (${new Date().toISOString()}, node ${process.version})`);
    console.log(`${pad('operation', 62)} ${pad('corral ms', 11)} ${pad('podman ms', 11)} podman/corral`);
    for (const r of rows) {
      console.log(`${pad(r.what, 62)} ${pad(r.corral.toFixed(0), 11)} ${pad(r.podman.toFixed(0), 11)} ${(r.podman / r.corral).toFixed(2)}×`);
    }
  } finally {
    try {
      podman(['system', 'reset', '--force']);
    } catch {
      // a failed benchmark may leave podman's root half made; removing it below is enough
    }
    unmountUnder(work);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
