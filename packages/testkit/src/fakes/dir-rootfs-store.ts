import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConflictError, ErrorCode, NotFoundError, type RootfsDiff, type RootfsStore } from '@corral/core';
import { runTar, type MemoryImageStore } from './memory-image-store.js';

interface Entry {
  imageId: string;
  mounts: number;
}

function tarStream(args: string[], input?: string): Readable {
  const out = new PassThrough();
  const child = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // tar may exit without reading stdin (it does when it only writes): ignore EPIPE there.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`tar ${args.join(' ')} failed: ${stderr.trim()}`));
  });
  return out;
}

/** Every path under `root`, relative, with its lstat. */
async function walk(root: string, rel = ''): Promise<Map<string, import('node:fs').Stats>> {
  const out = new Map<string, import('node:fs').Stats>();
  for (const name of await readdir(join(root, rel))) {
    const p = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(root, p));
    out.set(p, st);
    if (st.isDirectory()) for (const [k, v] of await walk(root, p)) out.set(k, v);
  }
  return out;
}

/**
 * Confines `rel` to `root` without following symlinks: undefined when the path
 * leaves the tree or passes through a symlink, which is what a hostile diff would use.
 */
async function confined(root: string, rel: string): Promise<string | undefined> {
  const clean = normalize(rel.replace(/^\/+/, ''));
  if (clean === '.' || clean.startsWith('..')) return undefined;
  const parts = clean.split(sep);
  let cur = root;
  for (const part of parts.slice(0, -1)) {
    cur = join(cur, part);
    const st = await lstat(cur).catch(() => undefined);
    if (!st || !st.isDirectory()) return undefined;
  }
  return join(cur, parts[parts.length - 1]!);
}

/**
 * RootfsStore on plain directories: each container gets a copy of its image's
 * layers (`lower`, kept pristine to compute diffs) and a working tree (`rootfs`).
 * No mounts; mount only counts references.
 */
export class DirRootfsStore implements RootfsStore {
  readonly root: string;
  private readonly ownsRoot: boolean;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly images?: MemoryImageStore, root?: string) {
    this.ownsRoot = root === undefined;
    this.root = root ?? mkdtempSync(join(tmpdir(), 'corral-dirrootfs-'));
  }

  /** Removes the temp directory this store created. */
  async dispose(): Promise<void> {
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true });
  }

  private entry(containerId: string): Entry {
    const e = this.entries.get(containerId);
    if (!e) throw new NotFoundError(ErrorCode.NoSuchCtr, `no root filesystem for container ${containerId}`, { details: { containerId } });
    return e;
  }

  private dir(containerId: string, part: 'lower' | 'rootfs'): string {
    return join(this.root, containerId, part);
  }

  async create(containerId: string, imageId: string): Promise<void> {
    if (this.entries.has(containerId)) throw new ConflictError(ErrorCode.CtrExists, `container ${containerId} already has a root filesystem`);
    const image = this.images ? await this.images.resolve(imageId) : { id: imageId };
    const lower = this.dir(containerId, 'lower');
    await mkdir(lower, { recursive: true });
    for (const [i, tar] of (this.images?.layerTars(image.id) ?? []).entries()) {
      const file = join(this.root, containerId, `layer${i}.tar`);
      await writeFile(file, tar);
      await runTar(['-x', '-f', file, '-C', lower, '--numeric-owner']);
      await rm(file);
    }
    await runTar(['-c', '-f', join(this.root, containerId, 'copy.tar'), '-C', lower, '.']);
    await mkdir(this.dir(containerId, 'rootfs'));
    await runTar(['-x', '-f', join(this.root, containerId, 'copy.tar'), '-C', this.dir(containerId, 'rootfs'), '--numeric-owner']);
    await rm(join(this.root, containerId, 'copy.tar'));
    this.entries.set(containerId, { imageId: image.id, mounts: 0 });
    this.images?.retain(image.id, containerId);
  }

  async mount(containerId: string): Promise<string> {
    this.entry(containerId).mounts++;
    return this.dir(containerId, 'rootfs');
  }

  async unmount(containerId: string, force = false): Promise<boolean> {
    const e = this.entry(containerId);
    e.mounts = force ? 0 : Math.max(0, e.mounts - 1);
    return e.mounts === 0;
  }

  /** The current reference count, for tests. */
  mountCount(containerId: string): number {
    return this.entries.get(containerId)?.mounts ?? 0;
  }

  async remove(containerId: string): Promise<void> {
    this.entries.delete(containerId);
    this.images?.release(containerId);
    await rm(join(this.root, containerId), { recursive: true, force: true });
  }

  async export(containerId: string): Promise<Readable> {
    this.entry(containerId);
    return tarStream(['-c', '-f', '-', '-C', this.dir(containerId, 'rootfs'), '--numeric-owner', '.']);
  }

  async diff(containerId: string): Promise<RootfsDiff> {
    this.entry(containerId);
    const lower = await walk(this.dir(containerId, 'lower'));
    const upper = await walk(this.dir(containerId, 'rootfs'));
    const changed: string[] = [];
    for (const [p, st] of upper) {
      const before = lower.get(p);
      const same =
        before &&
        before.mode === st.mode &&
        before.uid === st.uid &&
        before.gid === st.gid &&
        (st.isDirectory() || (before.size === st.size && before.mtimeMs === st.mtimeMs));
      if (!same) changed.push(p);
    }
    const deleted = [...lower.keys()].filter((p) => !upper.has(p));
    const topDeleted = deleted.filter((p) => !deleted.some((d) => p.startsWith(`${d}/`)));
    const tar = tarStream(['-c', '-f', '-', '-C', this.dir(containerId, 'rootfs'), '--numeric-owner', '--no-recursion', '--null', '-T', '-'], changed.map((p) => `${p}\0`).join(''));
    return { tar, deleted: topDeleted };
  }

  async applyDiff(containerId: string, tar: Readable, deleted: string[]): Promise<void> {
    this.entry(containerId);
    const rootfs = this.dir(containerId, 'rootfs');
    for (const rel of deleted) {
      const target = await confined(rootfs, rel);
      if (target) await rm(target, { recursive: true, force: true });
    }
    const child = spawn('tar', ['-x', '-f', '-', '-C', rootfs, '--numeric-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    await pipeline(tar, child.stdin);
    if ((await exited) !== 0) throw new Error(`applying the diff of container ${containerId} failed: ${stderr.trim()}`);
  }
}
