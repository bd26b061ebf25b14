// Containers checkpointed and restored by runc with this CRIU (`runc --criu WRAPPER`), the
// way the runtime plugin drives it, and the archives in between made by the backend.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CriuCheckpointBackend, DEFAULT_CRIU_PATH } from '../src/index.js';
import { sampleConfig } from './helpers/config.js';
import { readCount, waitCountAbove } from './helpers/counter.js';
import { silentLogger, tempDirs } from './helpers/dirs.js';

const CRIU = process.env.CORRAL_CRIU ?? DEFAULT_CRIU_PATH;
const ROOTFS_SCRIPT = resolve(import.meta.dirname, '../../../tools/images/busybox-rootfs.sh');
const COUNTER = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done';
const tmp = tempDirs();

interface Harness {
  dir: string;
  bundle: string;
  rootfs: string;
  runc(args: string[]): Promise<void>;
  run(id: string): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A bundle of the busybox rootfs running `script`, under a runc root of its own. */
async function harness(script: string, netns?: string): Promise<Harness> {
  const dir = await tmp('corral-criu-runc-');
  const bundle = join(dir, 'bundle');
  const rootfs = join(bundle, 'rootfs');
  const root = join(dir, 'runc-root');
  await execa('bash', [ROOTFS_SCRIPT, rootfs]);
  await execa('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', script];
  spec.process.rlimits = [];
  spec.root.readonly = false;
  if (netns) {
    for (const ns of spec.linux.namespaces) if (ns.type === 'network') ns.path = netns;
  }
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
  const ids = new Set<string>();
  cleanups.push(async () => {
    for (const id of ids) await execa('runc', ['--root', root, 'delete', '--force', id], { reject: false });
  });
  const log = join(dir, 'runc.log');
  const runc = async (args: string[]) => {
    const id = args[args.length - 1]!;
    if (args.includes('run') || args.includes('restore')) ids.add(id);
    // The container inherits runc's stdio: /dev/null, which CRIU reopens on restore, and no
    // pipe that would keep this call waiting for the container to close it.
    const r = await execa('runc', ['--root', root, '--log', log, ...args], { cwd: bundle, stdio: 'ignore', reject: false });
    if (r.exitCode !== 0) {
      const why = (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-5).join('\n');
      throw new Error(`runc ${args.join(' ')} failed: ${why}\n${await criuLogs(dir)}`);
    }
  };
  return {
    dir,
    bundle,
    rootfs,
    runc,
    run: async (id: string) => {
      await runc(['run', '-d', '--bundle', bundle, id]);
    },
  };
}

async function criuLogs(dir: string): Promise<string> {
  const out: string[] = [];
  for (const name of ['work/dump.log', 'rwork/restore.log']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    out.push(...text.split('\n').filter((l) => l.includes('Error')));
  }
  return out.join('\n');
}

async function state(h: Harness, id: string): Promise<string | undefined> {
  const r = await execa('runc', ['--root', join(h.dir, 'runc-root'), 'state', id], { reject: false });
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string }).status : undefined;
}

function newId(): string {
  return `corral-criu-${randomBytes(4).toString('hex')}`;
}

describe('runc checkpoint and restore with this CRIU', () => {
  it('checkpoints a counter container, exports it, imports it elsewhere and restores it under another id', async () => {
    const h = await harness(COUNTER);
    const count = join(h.rootfs, 'tmp', 'count');
    const first = newId();
    await h.run(first);
    await waitCountAbove(count, 3);
    const images = join(h.dir, 'images');
    // runc takes --criu before its command, as the runtime plugin passes it.
    await h.runc(['--criu', CRIU, 'checkpoint', '--image-path', images, '--work-path', join(h.dir, 'work'), first]);
    expect(await state(h, first)).toBeUndefined();
    const atDump = await readCount(count);

    const backend = new CriuCheckpointBackend({ criuPath: CRIU, logger: silentLogger });
    const archive = join(h.dir, 'export.tar.gz');
    await backend.exportArchive({ imageDir: images, config: sampleConfig(), networkStatus: null }, archive);
    const imported = await backend.importArchive(archive, join(h.dir, 'imported'));

    const second = newId();
    await h.runc(['--criu', CRIU, 'restore', '-d', '--bundle', h.bundle, '--image-path', imported.imageDir, '--work-path', join(h.dir, 'rwork'), second]);
    expect(await state(h, second)).toBe('running');
    expect(await waitCountAbove(count, atDump + 2)).toBeGreaterThan(atDump);
  });

  it('leaves the container running with --leave-running', async () => {
    const h = await harness(COUNTER);
    const count = join(h.rootfs, 'tmp', 'count');
    const id = newId();
    await h.run(id);
    await waitCountAbove(count, 3);
    await h.runc(['--criu', CRIU, 'checkpoint', '--leave-running', '--image-path', join(h.dir, 'images'), '--work-path', join(h.dir, 'work'), id]);
    expect(await state(h, id)).toBe('running');
    const after = await readCount(count);
    expect(await waitCountAbove(count, after + 2)).toBeGreaterThan(after);
    expect(existsSync(join(h.dir, 'images', 'inventory.img'))).toBe(true);
  });

  it('keeps an established TCP connection with --tcp-established', async () => {
    const ns = `corral-criu-${randomBytes(4).toString('hex')}`;
    await execa('ip', ['netns', 'add', ns]);
    cleanups.push(async () => {
      await execa('ip', ['netns', 'del', ns], { reject: false });
    });
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // A listener and a client inside the container, talking over its loopback.
    const h = await harness(
      `tail -f /dev/null | nc -l -p 5000 > /tmp/received & sleep 0.5; i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 5000`,
      `/run/netns/${ns}`,
    );
    const received = join(h.rootfs, 'tmp', 'received');
    const lastLine = async () => Number((await readFile(received, 'utf8').catch(() => '')).trim().split('\n').pop() || 0);
    const id = newId();
    await h.run(id);
    await waitFor(async () => (await lastLine()) > 3);
    const connection = await established(ns);
    expect(connection).toMatch(/127\.0\.0\.1:\d+\s+127\.0\.0\.1:5000/);

    await h.runc(['--criu', CRIU, 'checkpoint', '--tcp-established', '--image-path', join(h.dir, 'images'), '--work-path', join(h.dir, 'work'), id]);
    const atDump = await lastLine();
    await h.runc(['--criu', CRIU, 'restore', '-d', '--tcp-established', '--bundle', h.bundle, '--image-path', join(h.dir, 'images'), '--work-path', join(h.dir, 'rwork'), id]);
    await waitFor(async () => (await lastLine()) > atDump + 2);
    // The same connection (same ports), carried on by the same processes.
    expect(await established(ns)).toBe(connection);
  });
});

/** The client side of the established connection in the namespace, as "local peer". */
async function established(ns: string): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', ns, 'busybox', 'netstat', '-tn']);
  const line = r.stdout.split('\n').find((l) => l.includes('ESTABLISHED') && / 127\.0\.0\.1:5000 /.test(l));
  if (!line) throw new Error(`no established connection in ${ns}:\n${r.stdout}`);
  const [, , , local, peer] = line.trim().split(/\s+/);
  return `${local} ${peer}`;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
