import { randomBytes, createHash } from '@corral/core/crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable, Transform } from 'node:stream';
import { CorralError, ErrorCode, type Logger } from '@corral/core';
import { Metadata, type LayerRow } from './metadata.js';

const LINK_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function linkName(): string {
  const bytes = randomBytes(26);
  return [...bytes].map((b) => LINK_CHARS[b % LINK_CHARS.length]).join('');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface IngestOptions {
  /** Names the layer in messages. */
  what: string;
  /** The blob is already on disk (staged from an archive) with this digest: move it, do not copy. */
  staged?: { path: string; digest: string };
  /** The diff id the image config promises; a mismatch is ARCHIVE_INVALID. */
  expectDiffId?: string;
}

/**
 * The on-disk store both contracts share:
 *   blobs/sha256/<hex>        content-addressed blobs (configs, manifests, layer blobs as received)
 *   layers/<hex>/diff         each layer unpacked once, by diff id; layers/l/<short> -> ../<hex>/diff
 *   containers/<id>/{upper,work,merged}
 *   tmp/<pid>-*               work in progress, renamed into place when complete
 *   storage.db                metadata (SQLite)
 */
export class OverlayStorage {
  readonly blobsDir: string;
  readonly layersDir: string;
  readonly containersDir: string;
  readonly tmpDir: string;
  private metadata?: Metadata;

  constructor(
    readonly root: string,
    readonly logger: Logger,
  ) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.layersDir = join(root, 'layers');
    this.containersDir = join(root, 'containers');
    this.tmpDir = join(root, 'tmp');
  }

  get meta(): Metadata {
    if (!this.metadata) throw new CorralError(ErrorCode.Internal, `storage at ${this.root} is not open`);
    return this.metadata;
  }

  async open(): Promise<void> {
    if (this.metadata) return;
    // Synchronous: these exist on every open but the first, and each is one syscall.
    for (const dir of [this.blobsDir, join(this.layersDir, 'l'), this.containersDir, this.tmpDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Leftovers of processes that died mid-import: nothing half-imported survives.
    for (const entry of readdirSync(this.tmpDir)) {
      const pid = Number.parseInt(entry, 10);
      if (!Number.isFinite(pid) || !alive(pid)) await rm(join(this.tmpDir, entry), { recursive: true, force: true });
    }
    this.metadata = new Metadata(join(this.root, 'storage.db'));
  }

  close(): void {
    this.metadata?.close();
    this.metadata = undefined;
  }

  /** A private work directory, removed by open() if this process dies. */
  async workDir(): Promise<string> {
    return mkdtemp(join(this.tmpDir, `${process.pid}-`));
  }

  blobPath(digest: string): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
    if (!m) throw new CorralError(ErrorCode.Internal, `not a sha256 digest: ${digest}`);
    return join(this.blobsDir, m[1]!);
  }

  /** Stores bytes as a blob; returns its digest. */
  async putBlob(bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const path = this.blobPath(digest);
    if (!existsSync(path)) {
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, path);
    }
    return digest;
  }

  readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  layerDiffDir(diffId: string): string {
    return join(this.layersDir, diffId.slice('sha256:'.length), 'diff');
  }

  /**
   * Takes a layer blob (tar, gzip or zstd, told apart by magic bytes), keeps the blob
   * as received, verifies and unpacks it into a temp dir, and renames that into
   * place. A layer already present by diff id is reused.
   */
  async ingestLayer(input: Readable, options: IngestOptions): Promise<LayerRow> {
    const work = await this.workDir();
    try {
      // Only image import and load come here: tar-stream, fzstd and the xattr addon load now.
      const [{ FileTee, HashTap, decompressor, detectCompression, peek }, { unpack }] = await Promise.all([import('./streams.js'), import('./unpack.js')]);
      const { head, stream } = await peek(input, 4);
      const compression = detectCompression(head);
      const blobTap = new HashTap();
      const diffTap = new HashTap();
      const stages: Transform[] = [blobTap];
      if (!options.staged) stages.push(new FileTee(join(work, 'blob')));
      stages.push(decompressor(compression), diffTap);
      const chained = (pipeline as any)(stream, ...stages, () => undefined) as Readable;
      const diffDir = join(work, 'layer', 'diff');
      await mkdir(diffDir, { recursive: true, mode: 0o755 });
      await unpack(chained, diffDir, { mode: 'layer', what: options.what, logger: this.logger });
      const diffId = `sha256:${diffTap.hex()}`;
      const blobDigest = options.staged?.digest ?? `sha256:${blobTap.hex()}`;
      if (options.expectDiffId && options.expectDiffId !== diffId) {
        throw new CorralError(ErrorCode.ArchiveInvalid, `${options.what}: content has diff id ${diffId}, the image config says ${options.expectDiffId}`);
      }
      const blobPath = this.blobPath(blobDigest);
      if (!existsSync(blobPath)) await rename(options.staged?.path ?? join(work, 'blob'), blobPath);
      const existing = this.meta.layer(diffId);
      if (existing) return existing;
      const row: LayerRow = { diffId, link: linkName(), blobDigest, compression, tarSize: diffTap.size };
      const dest = join(this.layersDir, diffId.slice('sha256:'.length));
      try {
        await rename(join(work, 'layer'), dest);
      } catch (err) {
        // Another process unpacked the same layer first; its copy is as good as ours.
        if (!['EEXIST', 'ENOTEMPTY'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
      return this.meta.write(() => {
        const raced = this.meta.layer(diffId);
        if (raced) return raced;
        this.meta.insertLayer(row);
        return row;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Creates the short symlink of a layer if missing (done lazily so a crash cannot leave a row without it). */
  async ensureLink(row: LayerRow): Promise<void> {
    const path = join(this.layersDir, 'l', row.link);
    try {
      await symlink(`../${row.diffId.slice('sha256:'.length)}/diff`, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  /**
   * Deletes the layers no image or container uses any more, and those of
   * `blobCandidates` no image or layer names.
   */
  async collectGarbage(blobCandidates: string[] = []): Promise<void> {
    const { layers, blobs } = this.meta.write(() => {
      const used = this.meta.usedLayers();
      const dead = this.meta.allLayers().filter((l) => !used.has(l.diffId));
      for (const l of dead) this.meta.deleteLayer(l.diffId);
      const usedBlobs = this.meta.usedBlobs();
      const candidates = new Set([...blobCandidates, ...dead.map((l) => l.blobDigest)]);
      return { layers: dead, blobs: [...candidates].filter((b) => !usedBlobs.has(b)) };
    });
    for (const l of layers) {
      await unlink(join(this.layersDir, 'l', l.link)).catch(() => undefined);
      await rm(join(this.layersDir, l.diffId.slice('sha256:'.length)), { recursive: true, force: true });
      this.logger.debug({ layer: l.diffId }, 'removed unused layer');
    }
    for (const b of blobs) await rm(this.blobPath(b), { force: true });
  }

  async blobSize(digest: string): Promise<number> {
    return (await stat(this.blobPath(digest))).size;
  }
}
