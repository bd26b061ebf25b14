import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setAttributeSync } from '@napi-rs/xattr';
import { CorralError, ErrorCode, type Logger } from '@corral/core';
import { execa } from 'execa';
import tarStream from 'tar-stream';

export interface UnpackOptions {
  /**
   * 'layer': `.wh.` entries become overlay whiteouts (a 0/0 char device, or the
   * trusted.overlay.opaque xattr). 'apply': they delete what they name in the tree.
   */
  mode: 'layer' | 'apply';
  /** Names the archive in messages: "layer sha256:…", "diff of container abc". */
  what: string;
  logger: Logger;
}

export interface UnpackResult {
  entries: number;
  /** Entries not written (device nodes, unknown types), with the reason. */
  skipped: string[];
}

interface DirMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

interface Header {
  name: string;
  type?: string | null;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: Date;
  linkname?: string | null;
  pax?: Record<string, string>;
}

/** xattrs an archive may set; trusted.* (overlay's own) and security.selinux never. */
const XATTR_ALLOWED = (name: string) => name === 'security.capability' || name.startsWith('user.');

const FS_ARCHIVE_ERRORS = new Set(['ENAMETOOLONG', 'ELOOP', 'EINVAL', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/**
 * Extracts an untrusted tar stream under `root` without ever writing outside it:
 * names with ".." are refused, leading "/" is dropped (names are relative to the
 * root), no path is resolved through a symlink (a symlink met as a parent makes the
 * entry invalid), files are created O_EXCL|O_NOFOLLOW after removing what was
 * there, hardlinks must name an existing non-directory inside the tree, and device
 * nodes are skipped with a warning: an image gets its /dev from the runtime.
 * Symlink targets are stored as they are; nothing here follows them.
 */
export class Unpacker {
  private readonly dirs = new Set<string>(['']);
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly opaque: string[] = [];
  private readonly skipped: string[] = [];
  private entries = 0;

  constructor(
    private readonly root: string,
    private readonly options: UnpackOptions,
  ) {}

  private invalid(entry: string, why: string): never {
    throw new CorralError(ErrorCode.ArchiveInvalid, `${this.options.what}: entry "${entry}": ${why}`, {
      details: { entry, archive: this.options.what },
    });
  }

  private partsOf(name: string, entry: string): string[] {
    if (name.includes('\0')) this.invalid(entry, 'name contains a NUL byte');
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) this.invalid(entry, 'path contains ".." and would leave the tree');
    return parts;
  }

  private abs(rel: string): string {
    return rel ? join(this.root, rel) : this.root;
  }

  /** Makes every ancestor of `parts` a real directory (creating missing ones), refusing symlinks. */
  private async ensureParents(parts: string[], entry: string): Promise<void> {
    let rel = '';
    for (const part of parts.slice(0, -1)) {
      rel = rel ? `${rel}/${part}` : part;
      if (this.dirs.has(rel)) continue;
      const st = await lstat(this.abs(rel)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (!st) await mkdir(this.abs(rel), { mode: 0o755 });
      else if (st.isSymbolicLink()) this.invalid(entry, `its parent "${rel}" is a symlink; extraction never follows symlinks`);
      else if (!st.isDirectory()) this.invalid(entry, `its parent "${rel}" is not a directory`);
      this.dirs.add(rel);
    }
  }

  /** Checks, without creating anything, that `parts` lies under real directories; returns its path or undefined. */
  private async existingUnder(parts: string[]): Promise<string | undefined> {
    let rel = '';
    for (const part of parts.slice(0, -1)) {
      rel = rel ? `${rel}/${part}` : part;
      if (this.dirs.has(rel)) continue;
      const st = await lstat(this.abs(rel)).catch(() => undefined);
      if (!st || !st.isDirectory()) return undefined;
    }
    return this.abs(parts.join('/'));
  }

  private forget(rel: string): void {
    for (const set of [this.dirs, this.dirMeta] as const) {
      for (const key of set.keys()) if (key === rel || key.startsWith(`${rel}/`)) set.delete(key);
    }
  }

  /** Removes whatever is at `rel` (never following it); keeps a directory when `keepDir`. */
  private async clear(rel: string, keepDir: boolean): Promise<boolean> {
    const st = await lstat(this.abs(rel)).catch(() => undefined);
    if (!st) return false;
    if (keepDir && st.isDirectory()) return true;
    await rm(this.abs(rel), { recursive: true, force: true });
    this.forget(rel);
    return false;
  }

  private async setOwner(path: string, h: Header): Promise<void> {
    await lchown(path, h.uid ?? 0, h.gid ?? 0).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPERM') throw err;
    });
  }

  private applyXattrs(path: string, h: Header): void {
    for (const [key, value] of Object.entries(h.pax ?? {})) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      const name = key.slice('SCHILY.xattr.'.length);
      if (!XATTR_ALLOWED(name)) {
        this.options.logger.warn({ entry: h.name, xattr: name }, 'skipping an xattr an archive may not set');
        continue;
      }
      setAttributeSync(path, name, Buffer.from(value, 'latin1'));
    }
  }

  private async whiteout(parts: string[], entry: string): Promise<void> {
    const base = parts[parts.length - 1]!;
    const parent = parts.slice(0, -1);
    if (base === '.wh..wh..opq') {
      if (this.options.mode === 'layer') {
        await this.ensureParents(parts, entry);
        this.opaque.push(parent.join('/'));
      } else {
        const dir = await this.existingUnder([...parent, 'x']);
        const st = dir ? await lstat(this.abs(parent.join('/'))).catch(() => undefined) : undefined;
        if (st?.isDirectory()) {
          for (const child of await readdir(this.abs(parent.join('/')))) await this.clear([...parent, child].join('/'), false);
        }
      }
      return;
    }
    if (base.startsWith('.wh..wh.')) return; // aufs bookkeeping (.wh..wh.plnk and the like)
    const name = base.slice('.wh.'.length);
    if (!name || name === '.' || name === '..') this.invalid(entry, 'whiteout names no file');
    const target = [...parent, name];
    if (this.options.mode === 'layer') {
      await this.ensureParents(target, entry);
      await this.clear(target.join('/'), false);
      await execa('mknod', ['-m', '000', this.abs(target.join('/')), 'c', '0', '0']);
    } else if (await this.existingUnder(target)) {
      await this.clear(target.join('/'), false);
    }
  }

  private async entry(h: Header, stream: AsyncIterable<Buffer>): Promise<void> {
    const name = h.name;
    const parts = this.partsOf(name, name);
    const rel = parts.join('/');
    const base = parts[parts.length - 1];
    if (base?.startsWith('.wh.')) return this.whiteout(parts, name);
    const mode = (h.mode ?? 0o644) & 0o7777;
    if (parts.length === 0) {
      if (h.type !== 'directory') this.invalid(name, 'only a directory may stand for the root');
      this.dirMeta.set('', { mode, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date() });
      return;
    }
    const abs = this.abs(rel);
    switch (h.type) {
      case 'directory': {
        await this.ensureParents(parts, name);
        if (!(await this.clear(rel, true))) await mkdir(abs, { mode: 0o700 });
        this.dirs.add(rel);
        this.dirMeta.set(rel, { mode, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date() });
        this.applyXattrs(abs, h);
        return;
      }
      case 'file':
      case 'contiguous-file':
      case undefined:
      case null: {
        await this.ensureParents(parts, name);
        await this.clear(rel, false);
        const fh = await open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of stream) await fh.write(chunk);
          await fh.chown(h.uid ?? 0, h.gid ?? 0).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'EPERM') throw err;
          });
          await fh.chmod(mode);
          if (h.mtime) await fh.utimes(h.mtime, h.mtime);
        } finally {
          await fh.close();
        }
        this.applyXattrs(abs, h);
        return;
      }
      case 'symlink': {
        const target = h.linkname ?? '';
        if (!target || target.includes('\0')) this.invalid(name, 'symlink without a valid target');
        await this.ensureParents(parts, name);
        await this.clear(rel, false);
        await symlink(target, abs);
        await this.setOwner(abs, h);
        if (h.mtime) await lutimes(abs, h.mtime, h.mtime);
        return;
      }
      case 'link': {
        const targetParts = this.partsOf(h.linkname ?? '', name);
        const target = targetParts.length ? await this.existingUnder(targetParts) : undefined;
        const st = target ? await lstat(target).catch(() => undefined) : undefined;
        if (!target || !st) this.invalid(name, `hardlink target "${h.linkname}" is not in the archive`);
        if (st.isDirectory()) this.invalid(name, `hardlink target "${h.linkname}" is a directory`);
        if (targetParts.join('/') === rel) return;
        await this.ensureParents(parts, name);
        await this.clear(rel, false);
        await link(target, abs);
        return;
      }
      case 'fifo': {
        await this.ensureParents(parts, name);
        await this.clear(rel, false);
        await execa('mknod', ['-m', mode.toString(8), abs, 'p']);
        await this.setOwner(abs, h);
        return;
      }
      default: {
        const why = h.type === 'character-device' || h.type === 'block-device' ? 'device node' : `unsupported type ${h.type}`;
        this.skipped.push(`${name}: ${why}`);
        this.options.logger.warn({ archive: this.options.what, entry: name, type: h.type }, `skipping ${why} in archive`);
        return;
      }
    }
  }

  private async finish(): Promise<void> {
    for (const rel of this.opaque) {
      const st = await lstat(this.abs(rel)).catch(() => undefined);
      if (st?.isDirectory()) setAttributeSync(this.abs(rel), 'trusted.overlay.opaque', 'y');
    }
    // Deepest first, so setting a parent's mtime is not undone by work in its children.
    const dirs = [...this.dirMeta.entries()].sort((a, b) => b[0].split('/').length - a[0].split('/').length);
    for (const [rel, meta] of dirs) {
      const path = this.abs(rel);
      const st = await lstat(path).catch(() => undefined);
      if (!st?.isDirectory()) continue;
      await this.setOwner(path, { name: rel, uid: meta.uid, gid: meta.gid });
      await chmod(path, meta.mode);
      await utimes(path, meta.mtime, meta.mtime);
    }
  }

  /** Reads the whole tar stream; the stream's own errors become ARCHIVE_INVALID. */
  async run(input: Readable): Promise<UnpackResult> {
    const extract = tarStream.extract();
    let last = '(start of archive)';
    const feed = (async () => {
      try {
        for await (const chunk of input) {
          if (extract.destroyed) break;
          if (!extract.write(chunk)) await drainOrClose(extract);
        }
        (extract as any).end();
      } catch (err) {
        extract.destroy(err as Error);
      }
    })();
    try {
      for await (const entry of extract) {
        const h = entry.header as Header;
        last = h.name;
        this.entries++;
        try {
          await this.entry(h, entry as AsyncIterable<Buffer>);
        } catch (err) {
          if (err instanceof CorralError) throw err;
          // Errors without an errno come from the archive stream itself (truncated content).
          const { errno, code } = err as NodeJS.ErrnoException;
          throw new CorralError(
            typeof errno !== 'number' || FS_ARCHIVE_ERRORS.has(code ?? '') ? ErrorCode.ArchiveInvalid : ErrorCode.Internal,
            `${this.options.what}: entry "${h.name}": ${(err as Error).message}`,
            { cause: err, details: { entry: h.name } },
          );
        }
        entry.resume();
      }
    } catch (err) {
      input.destroy();
      extract.destroy();
      await feed;
      if (err instanceof CorralError) throw err;
      throw new CorralError(ErrorCode.ArchiveInvalid, `${this.options.what}: malformed tar after entry "${last}": ${(err as Error).message}`, {
        cause: err,
        details: { entry: last },
      });
    }
    await feed;
    await this.finish();
    return { entries: this.entries, skipped: this.skipped };
  }
}

/** Waits until a writable wants more, or is gone (an extract destroyed by a bad header never drains). */
export function drainOrClose(stream: NodeJS.EventEmitter & { destroyed?: boolean }): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

export function unpack(input: Readable, root: string, options: UnpackOptions): Promise<UnpackResult> {
  return new Unpacker(root, options).run(input);
}
