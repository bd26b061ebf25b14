import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** Builds a tar in memory from entries exactly as given: hostile names and all. */
export async function buildTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    await new Promise<void>((resolve, reject) => {
      const header: any = {
        name: e.name,
        type,
        mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
        linkname: e.linkname,
        devmajor: e.devmajor,
        devminor: e.devminor,
        pax: e.pax,
        mtime: new Date(1_700_000_000_000),
        uid: 0,
        gid: 0,
      };
      if (type === 'file') pack.entry(header, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function gzip(b: Buffer): Buffer {
  return gzipSync(b);
}

export function zstd(b: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c'], { input: b, maxBuffer: 1 << 30 });
}

export interface ArchiveImage {
  layers: Buffer[];
  /** Blobs as they go into the archive (compressed or not); default: the layers. */
  blobs?: Buffer[];
  config?: Record<string, unknown>;
  tags?: string[];
}

export function imageConfig(layers: Buffer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'], ...extra },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
    }),
  );
}

/** A docker-archive as `docker save`/`podman save` write it. */
export async function dockerArchive(images: ArchiveImage[], tweak: (entries: TarEntry[]) => TarEntry[] = (e) => e): Promise<Buffer> {
  const entries: TarEntry[] = [];
  const manifest = [];
  for (const img of images) {
    const config = imageConfig(img.layers, img.config);
    const blobs = img.blobs ?? img.layers;
    const names = blobs.map((b) => `${sha256(b)}/layer.tar`);
    blobs.forEach((b, i) => entries.push({ name: names[i]!, content: b }));
    entries.push({ name: `${sha256(config)}.json`, content: config });
    manifest.push({ Config: `${sha256(config)}.json`, RepoTags: img.tags ?? [], Layers: names });
  }
  entries.push({ name: 'manifest.json', content: JSON.stringify(manifest) });
  return buildTar(tweak(entries));
}

/** An oci-archive with one manifest per image, names in the ref.name annotation. */
export async function ociArchive(images: (ArchiveImage & { mediaTypes?: string[] })[]): Promise<Buffer> {
  const entries: TarEntry[] = [{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }];
  const manifests = [];
  for (const img of images) {
    const config = imageConfig(img.layers, img.config);
    const blobs = img.blobs ?? img.layers;
    entries.push({ name: `blobs/sha256/${sha256(config)}`, content: config });
    blobs.forEach((b) => entries.push({ name: `blobs/sha256/${sha256(b)}`, content: b }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(config)}`, size: config.length },
        layers: blobs.map((b, i) => ({ mediaType: img.mediaTypes?.[i] ?? 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha256(b)}`, size: b.length })),
      }),
    );
    entries.push({ name: `blobs/sha256/${sha256(manifest)}`, content: manifest });
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${sha256(manifest)}`,
      size: manifest.length,
      annotations: img.tags?.[0] ? { 'org.opencontainers.image.ref.name': img.tags[0] } : undefined,
    });
  }
  entries.push({ name: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests }) });
  return buildTar(entries);
}
