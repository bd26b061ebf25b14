import { mkdirSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import {
  ConflictError,
  CorralError,
  ErrorCode,
  InvalidArgumentError,
  NotFoundError,
  RuntimeError,
  type RootfsDiff,
  type RootfsStore,
} from '@corral/core';
import type { OverlayImageStore } from './image-store.js';
import type { ContainerRow } from './metadata.js';
import { isMounted, mountOverlay, unmountPath } from './overlay.js';
import { removeTree } from './remove-tree.js';
import type { OverlayStorage } from './storage.js';

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Runs GNU tar, handing back its stdout; exit 1 ("file changed as we read it") is a warning.
 * execa (and, in diff, the xattr addon and the unpacker) load on first use: they cost
 * more start-up time than most commands take, and only export, diff and commit need them.
 */
async function tarOut(args: string[], input: string | undefined, what: string, onDone?: () => void): Promise<Readable> {
  const { execa } = await import('execa');
  const out = new PassThrough();
  const child = execa('tar', args, { input, stdout: 'pipe', stderr: 'pipe', buffer: { stdout: false, stderr: true }, reject: false });
  child.stdout.pipe(out, { end: false });
  void child.then((result) => {
    onDone?.();
    if (result.exitCode === 0 || result.exitCode === 1) out.end();
    else out.destroy(new RuntimeError(`${what}: tar failed: ${String(result.stderr).trim()}`));
  });
  return out;
}

/**
 * Container root filesystems as overlay mounts: the image's layers (top first) as
 * lower dirs, an upper and a work dir per container. The mount count lives in the
 * database and is changed only inside a write transaction, so processes agree on it;
 * mountinfo is the truth about whether the tree is mounted (after a reboot the
 * count is stale and is reset).
 */
export class OverlayRootfsStore implements RootfsStore {
  constructor(
    private readonly storage: OverlayStorage,
    private readonly images: OverlayImageStore,
  ) {}

  private get meta() {
    return this.storage.meta;
  }

  private dir(containerId: string, part?: 'upper' | 'work' | 'merged'): string {
    if (!ID_RE.test(containerId)) throw new InvalidArgumentError(`invalid container id "${containerId}"`);
    return part ? join(this.storage.containersDir, containerId, part) : join(this.storage.containersDir, containerId);
  }

  private row(containerId: string): ContainerRow {
    const row = this.meta.container(containerId);
    if (!row) throw new NotFoundError(ErrorCode.NoSuchCtr, `no root filesystem for container ${containerId}`, { details: { containerId } });
    return row;
  }

  async create(containerId: string, imageId: string): Promise<void> {
    const dir = this.dir(containerId);
    const { row: image } = this.images.resolveRow(imageId);
    this.meta.write(() => {
      if (this.meta.container(containerId)) throw new ConflictError(ErrorCode.CtrExists, `container ${containerId} already has a root filesystem`);
      this.meta.insertContainer({ id: containerId, imageId: image.id, layers: image.layers, mountCount: 0 });
    });
    try {
      for (const part of ['upper', 'work', 'merged']) mkdirSync(join(dir, part), { recursive: true, mode: 0o755 });
    } catch (err) {
      this.meta.write(() => this.meta.deleteContainer(containerId));
      throw new CorralError(ErrorCode.Internal, `creating the root filesystem of ${containerId} failed`, { cause: err });
    }
  }

  async mount(containerId: string): Promise<string> {
    const row = this.row(containerId);
    const layers = row.layers.map((d) => {
      const l = this.meta.layer(d);
      if (!l) throw new RuntimeError(`container ${containerId}: layer ${d} is missing from the store`);
      return l;
    });
    for (const l of layers) await this.storage.ensureLink(l);
    const merged = this.dir(containerId, 'merged');
    return this.meta.write(() => {
      const current = this.row(containerId);
      const mounted = isMounted(merged);
      if (!mounted) {
        const lowers = layers.length ? [...layers].reverse().map((l) => `l/${l.link}`) : [];
        if (lowers.length === 0) throw new RuntimeError(`container ${containerId}: its image has no layers to mount`);
        mountOverlay({ layersDir: this.storage.layersDir, lowers, upper: this.dir(containerId, 'upper'), work: this.dir(containerId, 'work'), target: merged });
      }
      this.meta.setMountCount(containerId, (mounted ? current.mountCount : 0) + 1);
      return merged;
    });
  }

  async unmount(containerId: string, force = false): Promise<boolean> {
    const merged = this.dir(containerId, 'merged');
    return this.meta.write(() => {
      const row = this.row(containerId);
      if (!isMounted(merged)) {
        this.meta.setMountCount(containerId, 0);
        return true;
      }
      if (force || row.mountCount <= 1) {
        unmountPath(merged);
        this.meta.setMountCount(containerId, 0);
        return true;
      }
      this.meta.setMountCount(containerId, row.mountCount - 1);
      return false;
    });
  }

  /** The current reference count (0 when not mounted). */
  mountCount(containerId: string): number {
    const row = this.meta.container(containerId);
    return row && isMounted(this.dir(containerId, 'merged')) ? row.mountCount : 0;
  }

  async remove(containerId: string): Promise<void> {
    const dir = this.dir(containerId);
    const merged = join(dir, 'merged');
    this.meta.write(() => {
      if (isMounted(merged)) unmountPath(merged);
      this.meta.deleteContainer(containerId);
    });
    await removeTree(dir);
    await this.storage.collectGarbage();
  }

  async export(containerId: string): Promise<Readable> {
    const merged = await this.mount(containerId);
    return tarOut(['-c', '-f', '-', '-C', merged, '--numeric-owner', '.'], undefined, `export of container ${containerId}`, () => {
      void this.unmount(containerId).catch((err) => this.storage.logger.warn({ err, containerId }, 'unmount after export failed'));
    });
  }

  /**
   * The upper dir read as changes: 0/0 character devices are deletions, an opaque
   * directory is a deletion of the lower one plus its new content; the rest goes
   * into the tar (never the overlay's own trusted.* xattrs).
   */
  async diff(containerId: string): Promise<RootfsDiff> {
    this.row(containerId);
    const { getAttributeSync } = await import('@napi-rs/xattr');
    const upper = this.dir(containerId, 'upper');
    const files: string[] = [];
    const deleted: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const name of await readdir(rel ? join(upper, rel) : upper)) {
        const p = rel ? `${rel}/${name}` : name;
        const st = await lstat(join(upper, p));
        if (st.isCharacterDevice() && st.rdev === 0) {
          deleted.push(p);
          continue;
        }
        files.push(p);
        if (st.isDirectory()) {
          if (getAttributeSync(join(upper, p), 'trusted.overlay.opaque')?.toString() === 'y') deleted.push(p);
          await walk(p);
        }
      }
    };
    await walk('');
    const tar = await tarOut(
      ['-c', '-f', '-', '-C', upper, '--numeric-owner', '--no-recursion', '--null', '--verbatim-files-from', '-T', '-'],
      files.map((f) => `${f}\0`).join(''),
      `diff of container ${containerId}`,
    );
    return { tar, deleted };
  }

  async applyDiff(containerId: string, tar: Readable, deleted: string[]): Promise<void> {
    const cleaned = deleted.map((d) => {
      const parts = d.split('/').filter((p) => p !== '' && p !== '.');
      if (parts.length === 0 || parts.includes('..')) {
        throw new CorralError(ErrorCode.ArchiveInvalid, `diff of container ${containerId}: deleted path "${d}" is not inside the tree`, { details: { path: d } });
      }
      return parts;
    });
    const merged = await this.mount(containerId);
    try {
      for (const parts of cleaned) {
        let cur = merged;
        let inside = true;
        for (const part of parts.slice(0, -1)) {
          cur = join(cur, part);
          const st = await lstat(cur).catch(() => undefined);
          // A symlink here could point anywhere on the host: never go through it.
          if (!st?.isDirectory()) {
            inside = false;
            break;
          }
        }
        if (inside) await rm(join(cur, parts[parts.length - 1]!), { recursive: true, force: true });
        else this.storage.logger.warn({ containerId, path: parts.join('/') }, 'deleted path not removed: a parent is missing or a symlink');
      }
      const { unpack } = await import('./unpack.js');
      await unpack(tar, merged, { mode: 'apply', what: `diff of container ${containerId}`, logger: this.storage.logger });
    } finally {
      await this.unmount(containerId);
    }
  }
}
