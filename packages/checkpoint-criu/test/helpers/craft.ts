import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ContainerConfig } from '@corral/core';
import { sampleConfig } from './config.js';

export interface CraftedEntry {
  header: Partial<tar.Header> & { name: string };
  data?: Buffer | string;
}

/** The entries of a minimal acceptable archive (fake CRIU images). */
export function baseEntries(config: unknown = sampleConfig()): CraftedEntry[] {
  return [
    file('config.dump', JSON.stringify(config)),
    file('network.status', JSON.stringify({ podman: { interfaces: {} } })),
    { header: { name: 'checkpoint/', type: 'directory', mode: 0o755 } },
    file('checkpoint/inventory.img', Buffer.alloc(64, 7)),
    file('checkpoint/pages-1.img', Buffer.alloc(8192, 1)),
  ];
}

export function file(name: string, data: Buffer | string): CraftedEntry {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return { header: { name, type: 'file', mode: 0o644, size: buf.length }, data: buf };
}

export function configWith(change: (c: Record<string, unknown>) => void): unknown {
  const c = JSON.parse(JSON.stringify(sampleConfig())) as Record<string, unknown>;
  change(c);
  return c;
}

export type { ContainerConfig };

/** Writes entries verbatim (any type, any name), as an attacker's tool would. */
export async function craftArchive(path: string, entries: CraftedEntry[], gzip = true): Promise<void> {
  const pack = tar.pack();
  const out = pipeline([pack as unknown as NodeJS.ReadableStream, ...(gzip ? [createGzip()] : []), createWriteStream(path)]);
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.data !== undefined) pack.entry(e.header, e.data, cb);
      else pack.entry({ size: 0, ...e.header }, cb);
    });
  }
  pack.finalize();
  await out;
}
