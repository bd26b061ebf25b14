import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import {
  ConflictError,
  CorralError,
  ErrorCode,
  InvalidArgumentError,
  NotFoundError,
  imageConfigFromOci,
  normalizeImageName,
  tryNormalize,
  type ImageStore,
  type ImageSummary,
  type ImportOptions,
  type RemoveImageResult,
} from '@corral/core';
import type { StagedArchive } from './archive-staging.js';
import { applyChanges } from './changes.js';
import type { ImageRow, LayerRow } from './metadata.js';
import { shortNameMatches } from './names.js';
import { parseImageConfig, rootfsImageConfig, type OciImageConfig } from './oci-config.js';
import type { OverlayStorage } from './storage.js';

const LAYER_MEDIA: Record<string, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

interface Resolved {
  row: ImageRow;
  /** The name the reference matched, when it matched a name rather than an id. */
  name?: string;
}

interface PendingImage {
  configBytes: Buffer;
  config: OciImageConfig;
  layerFiles: { name: string; digest: string }[];
  names: string[];
  /** The manifest as received (oci-archive), or undefined to write one. */
  manifest?: { bytes: Buffer; digest: string };
}

function toSummary(row: ImageRow): ImageSummary {
  return { id: row.id, names: row.names, digest: row.digest, layers: row.layers, size: row.size, createdAt: row.createdAt, config: row.config };
}

function archiveInvalid(message: string, cause?: unknown): CorralError {
  return new CorralError(ErrorCode.ArchiveInvalid, message, cause === undefined ? {} : { cause });
}

/** ImageStore over OverlayStorage: podman's naming, import/load/save, removal with layer collection. */
export class OverlayImageStore implements ImageStore {
  constructor(private readonly storage: OverlayStorage) {}

  private get meta() {
    return this.storage.meta;
  }

  /** By full id, "sha256:" id, full or short name, then unique id prefix (podman's order). */
  resolveRow(reference: string): Resolved {
    const ref = reference.trim();
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (/^[0-9a-f]{64}$/.test(hex)) {
      const row = this.meta.image(hex);
      if (row) return { row };
    }
    const name = tryNormalize(ref);
    const exact = this.meta.imageByName(ref) ?? (name ? this.meta.imageByName(name) : undefined);
    if (exact) return { row: this.meta.image(exact)!, name: this.meta.imageByName(ref) ? ref : name };
    if (name && !ref.startsWith('sha256:')) {
      const matches = this.meta.allNames().filter((n) => shortNameMatches(n.name, ref));
      const ids = new Set(matches.map((m) => m.imageId));
      if (ids.size === 1) return { row: this.meta.image(matches[0]!.imageId)!, name: matches[0]!.name };
      if (ids.size > 1) {
        throw new ConflictError(ErrorCode.InvalidArg, `short name "${reference}" is ambiguous: ${matches.map((m) => m.name).join(', ')}`);
      }
    }
    if (/^[0-9a-f]{3,63}$/.test(hex)) {
      const ids = this.meta.imagesWithPrefix(hex);
      if (ids.length === 1) return { row: this.meta.image(ids[0]!)! };
      if (ids.length > 1) throw new ConflictError(ErrorCode.InvalidArg, `image id prefix "${reference}" is ambiguous`);
    }
    throw new NotFoundError(ErrorCode.NoSuchImage, `image "${reference}" not found`, { details: { reference } });
  }

  async resolve(reference: string): Promise<ImageSummary> {
    return toSummary(this.resolveRow(reference).row);
  }

  async list(): Promise<ImageSummary[]> {
    return this.meta.images().map(toSummary);
  }

  /** Stores config and manifest blobs and the image row; merges names into an existing image with that id. */
  private async commit(pending: PendingImage, layers: LayerRow[]): Promise<ImageSummary> {
    const configDigest = await this.storage.putBlob(pending.configBytes);
    let digest: string;
    if (pending.manifest) {
      digest = await this.storage.putBlob(pending.manifest.bytes);
    } else {
      const manifest = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: pending.configBytes.length },
        layers: await Promise.all(
          layers.map(async (l) => ({ mediaType: LAYER_MEDIA[l.compression], digest: l.blobDigest, size: await this.storage.blobSize(l.blobDigest) })),
        ),
      };
      digest = await this.storage.putBlob(Buffer.from(JSON.stringify(manifest)));
    }
    const id = configDigest.slice('sha256:'.length);
    const row = {
      id,
      digest,
      layers: pending.config.rootfs.diff_ids,
      size: layers.reduce((s, l) => s + l.tarSize, 0),
      createdAt: pending.config.created ?? new Date().toISOString(),
      config: imageConfigFromOci(pending.config),
    };
    this.meta.write(() => this.meta.putImage(row, pending.names));
    return toSummary(this.meta.image(id)!);
  }

  async importRootfs(tar: Readable, options: ImportOptions = {}): Promise<ImageSummary> {
    let runtime;
    let names: string[];
    try {
      runtime = applyChanges({}, options.changes ?? []);
      names = options.reference ? [normalizeImageName(options.reference)] : [];
    } catch (err) {
      tar.destroy();
      throw err;
    }
    const layer = await this.storage.ingestLayer(tar, { what: 'imported root filesystem' });
    const config = rootfsImageConfig(layer.diffId, runtime, new Date().toISOString(), options.message);
    return this.commit({ configBytes: Buffer.from(JSON.stringify(config)), config, layerFiles: [], names }, [layer]);
  }

  /** The staged config file, its digest checked against the name when the name is one ("<hex>.json"). */
  private configFile(staged: StagedArchive, name: string): { path: string } {
    const file = staged.require(name, 'image config');
    const hexName = /([0-9a-f]{64})(\.json)?$/.exec(name)?.[1];
    if (hexName && `sha256:${hexName}` !== file.digest) throw archiveInvalid(`image archive: config "${name}" has digest ${file.digest}`);
    return file;
  }

  private async pendingFromDocker(staged: StagedArchive): Promise<PendingImage[]> {
    const manifestFile = staged.require('manifest.json', 'docker-archive manifest');
    let items: { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
    try {
      items = JSON.parse((await readFile(manifestFile.path)).toString());
      if (!Array.isArray(items)) throw new Error('manifest.json is not an array');
    } catch (err) {
      throw archiveInvalid(`image archive: manifest.json is not valid: ${(err as Error).message}`, err);
    }
    const out: PendingImage[] = [];
    for (const item of items) {
      if (typeof item?.Config !== 'string' || !Array.isArray(item.Layers)) throw archiveInvalid('image archive: manifest.json entry without Config or Layers');
      const file = this.configFile(staged, item.Config);
      const configBytes = await readFile(file.path);
      const config = parseConfig(configBytes, item.Config);
      if (config.rootfs.diff_ids.length !== item.Layers.length) {
        throw archiveInvalid(`image archive: ${item.Config} lists ${config.rootfs.diff_ids.length} diff ids but the manifest ${item.Layers.length} layers`);
      }
      const layerFiles = item.Layers.map((l) => ({ name: l, digest: staged.require(l, 'layer').digest }));
      const names = (item.RepoTags ?? []).map((t) => {
        try {
          return normalizeImageName(t);
        } catch (err) {
          throw archiveInvalid(`image archive: invalid RepoTag "${t}"`, err);
        }
      });
      out.push({ configBytes, config, layerFiles, names });
    }
    return out;
  }

  private async pendingFromOci(staged: StagedArchive): Promise<PendingImage[]> {
    const blobName = (digest: unknown) => {
      if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw archiveInvalid(`image archive: invalid digest ${JSON.stringify(digest)}`);
      return `blobs/sha256/${digest.slice(7)}`;
    };
    const verified = async (digest: string): Promise<Buffer> => {
      const file = staged.require(blobName(digest), 'blob');
      if (file.digest !== digest) throw archiveInvalid(`image archive: blob ${digest} has digest ${file.digest}`);
      return readFile(file.path);
    };
    const out: PendingImage[] = [];
    const visit = async (descriptors: any[], depth: number): Promise<void> => {
      if (depth > 4) throw archiveInvalid('image archive: indexes nested too deep');
      for (const d of descriptors) {
        const bytes = await verified(d?.digest);
        const doc = parseJson(bytes, d.digest);
        if (INDEX_TYPES.has(d.mediaType) || INDEX_TYPES.has(doc.mediaType)) {
          await visit(doc.manifests ?? [], depth + 1);
          continue;
        }
        const configBytes = await verified(doc.config?.digest);
        const config = parseConfig(configBytes, doc.config.digest);
        const layers: any[] = doc.layers ?? [];
        if (layers.length !== config.rootfs.diff_ids.length) throw archiveInvalid(`image archive: manifest ${d.digest} has ${layers.length} layers for ${config.rootfs.diff_ids.length} diff ids`);
        const layerFiles = layers.map((l) => {
          const name = blobName(l.digest);
          const file = staged.require(name, 'layer blob');
          if (file.digest !== l.digest) throw archiveInvalid(`image archive: layer blob ${l.digest} has digest ${file.digest}`);
          return { name, digest: l.digest as string };
        });
        const ref = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
        // A bare ref.name is a tag by the OCI spec ("latest"), not a name we could use.
        const names = typeof ref === 'string' && /[/:]/.test(ref) ? [tryNormalize(ref)].filter((n): n is string => !!n) : [];
        out.push({ configBytes, config, layerFiles, names, manifest: { bytes, digest: d.digest } });
      }
    };
    const index = parseJson(await readFile(staged.require('index.json', 'OCI index').path), 'index.json');
    await visit(index.manifests ?? [], 0);
    return out;
  }

  async load(archive: Readable): Promise<ImageSummary[]> {
    const work = await this.storage.workDir();
    try {
      // tar-stream loads with the archive code, for load and save only.
      const { StagedArchive } = await import('./archive-staging.js');
      const staged = await StagedArchive.stage(archive, work);
      let pending: PendingImage[];
      if (staged.has('manifest.json')) pending = await this.pendingFromDocker(staged);
      else if (staged.has('index.json')) pending = await this.pendingFromOci(staged);
      else throw archiveInvalid('image archive: neither a docker-archive (manifest.json) nor an oci-archive (index.json)');
      if (pending.length === 0) throw archiveInvalid('image archive: contains no image');
      const loaded: ImageSummary[] = [];
      for (const p of pending) {
        const layers: LayerRow[] = [];
        for (const [i, lf] of p.layerFiles.entries()) {
          const file = staged.require(lf.name, 'layer');
          // A layer already in the store is trusted by its diff id: no second unpack.
          const known = this.meta.layer(p.config.rootfs.diff_ids[i]!);
          if (known) {
            layers.push(known);
            continue;
          }
          layers.push(
            await this.storage.ingestLayer(createReadStream(file.path), {
              what: `layer ${i} (${lf.name}) of image ${p.names[0] ?? 'without name'}`,
              staged: { path: file.path, digest: file.digest },
              expectDiffId: p.config.rootfs.diff_ids[i]!,
            }),
          );
        }
        loaded.push(await this.commit(p, layers));
      }
      return loaded;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async save(references: string[], out: Writable): Promise<void> {
    if (references.length === 0) throw new InvalidArgumentError('save needs at least one image');
    const images = references.map((r) => {
      const { row, name } = this.resolveRow(r);
      return { row, tags: name ? [name] : row.names };
    });
    const layers = new Map<string, LayerRow>();
    for (const { row } of images) {
      for (const d of row.layers) {
        const l = this.meta.layer(d);
        if (!l) throw new CorralError(ErrorCode.Internal, `image ${row.id}: layer ${d} is missing from the store`);
        layers.set(d, l);
      }
    }
    const { writeDockerArchive } = await import('./docker-archive.js');
    await writeDockerArchive(this.storage, images, layers, out);
  }

  async tag(reference: string, newName: string): Promise<void> {
    const { row } = this.resolveRow(reference);
    const name = normalizeImageName(newName);
    this.meta.write(() => this.meta.setName(name, row.id));
  }

  async remove(reference: string, options: { force?: boolean } = {}): Promise<RemoveImageResult> {
    const { row, name } = this.resolveRow(reference);
    if (name && row.names.length > 1) {
      this.meta.write(() => this.meta.removeName(name));
      return { untagged: [name], deleted: [] };
    }
    this.meta.write(() => {
      const users = this.meta.containersOfImage(row.id);
      if (users.length && !options.force) {
        throw new ConflictError(ErrorCode.ImageInUse, `image ${row.id} is in use by container(s) ${users.join(', ')}`, {
          details: { id: row.id, containers: users },
        });
      }
      this.meta.deleteImage(row.id);
    });
    await this.storage.collectGarbage([`sha256:${row.id}`, row.digest]);
    return { untagged: row.names, deleted: [row.id] };
  }

  async prune(): Promise<string[]> {
    const pruned = this.meta.write(() => {
      const ids = this.meta
        .images()
        .filter((i) => i.names.length === 0 && this.meta.containersOfImage(i.id).length === 0)
        .map((i) => ({ id: i.id, digest: i.digest }));
      for (const i of ids) this.meta.deleteImage(i.id);
      return ids;
    });
    await this.storage.collectGarbage(pruned.flatMap((i) => [`sha256:${i.id}`, i.digest]));
    return pruned.map((i) => i.id);
  }
}

function parseJson(bytes: Buffer, where: string): any {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw archiveInvalid(`image archive: ${where} is not JSON`, err);
  }
}

function parseConfig(bytes: Buffer, where: string): OciImageConfig {
  try {
    return parseImageConfig(bytes, where);
  } catch (err) {
    throw archiveInvalid(`image archive: ${(err as Error).message}`, err);
  }
}
