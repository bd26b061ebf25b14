import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CorralError, ErrorCode } from '@corral/core';
import tarStream from 'tar-stream';
import type { ImageRow, LayerRow } from './metadata.js';
import type { OverlayStorage } from './storage.js';
import { decompressor } from './streams.js';

/** Adds one entry whose content comes from an async source, honouring the pack's backpressure. */
async function addEntry(pack: tarStream.Pack, name: string, size: number, content: AsyncIterable<Buffer> | Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const header = { name, size, mode: 0o644, mtime: new Date(0), type: 'file' as const };
    if (Buffer.isBuffer(content)) {
      pack.entry(header, content, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    (async () => {
      for await (const chunk of content) {
        if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
      }
      (entry as any).end();
    })().catch((err) => {
      entry.destroy(err);
      reject(err);
    });
  });
}

/**
 * Writes a docker-archive as podman save does: "<diffid hex>.tar" per layer
 * (uncompressed, so its sha256 is the diff id the config names), "<image id>.json"
 * (the config exactly as stored, so the id survives), and manifest.json.
 */
export async function writeDockerArchive(
  storage: OverlayStorage,
  images: { row: ImageRow; tags: string[] }[],
  layers: Map<string, LayerRow>,
  out: Writable,
): Promise<void> {
  const pack = tarStream.pack();
  const done = pipeline(pack as any, out);
  try {
    for (const layer of layers.values()) {
      const source = createReadStream(storage.blobPath(layer.blobDigest)).pipe(decompressor(layer.compression));
      await addEntry(pack, `${layer.diffId.slice(7)}.tar`, layer.tarSize, source);
    }
    const manifest = [];
    const written = new Set<string>();
    for (const { row, tags } of images) {
      if (!written.has(row.id)) {
        await addEntry(pack, `${row.id}.json`, 0, await storage.readBlob(`sha256:${row.id}`));
        written.add(row.id);
      }
      manifest.push({ Config: `${row.id}.json`, RepoTags: tags, Layers: row.layers.map((d) => `${d.slice(7)}.tar`) });
    }
    await addEntry(pack, 'manifest.json', 0, Buffer.from(JSON.stringify(manifest)));
    pack.finalize();
    await done;
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err instanceof CorralError ? err : new CorralError(ErrorCode.Internal, `saving images failed: ${(err as Error).message}`, { cause: err });
  }
}
