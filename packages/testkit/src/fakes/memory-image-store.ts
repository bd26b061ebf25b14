import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import {
  ConflictError,
  CorralError,
  ErrorCode,
  InvalidArgumentError,
  NotFoundError,
  emptyImageConfig,
  type ImageConfig,
  type ImageStore,
  type ImageSummary,
  type ImportOptions,
  type RemoveImageResult,
  imageConfigFromOci,
  normalizeImageName,
} from '@corral/core';

const run = promisify(execFile);

interface ImageRecord {
  summary: ImageSummary;
  /** The config JSON as the id was computed from it. */
  configJson: Buffer;
  /** One uncompressed tar per layer, bottom first; absent for images added with add(). */
  layerTars: Buffer[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Applies podman's --change instructions (the subset the fake needs) to a config. */
export function applyImageChanges(config: ImageConfig, changes: readonly string[]): ImageConfig {
  const out: ImageConfig = { ...config, env: [...config.env], labels: { ...config.labels }, exposedPorts: [...config.exposedPorts] };
  const command = (rest: string): string[] =>
    rest.startsWith('[') ? (JSON.parse(rest) as string[]) : ['/bin/sh', '-c', rest];
  for (const change of changes) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(change);
    if (!m) throw new InvalidArgumentError(`invalid change "${change}"`);
    const [, verb, rest] = [m[0], m[1]!.toUpperCase(), m[2]!.trim()];
    switch (verb) {
      case 'CMD': out.cmd = command(rest); break;
      case 'ENTRYPOINT': out.entrypoint = command(rest); break;
      case 'WORKDIR': out.workingDir = rest; break;
      case 'USER': out.user = rest; break;
      case 'STOPSIGNAL': out.stopSignal = rest; break;
      case 'ENV':
      case 'LABEL': {
        // key=value pairs (values may be double-quoted), or the legacy "key value" form.
        const pairs = /^[^\s=]+=/.test(rest)
          ? [...rest.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((p) => [p[1]!, p[2]!.replace(/^"(.*)"$/s, '$1')])
          : [[rest.split(/\s+/)[0]!, rest.replace(/^\S+\s*/, '')]];
        for (const [k, v] of pairs) {
          if (verb === 'ENV') out.env = out.env.filter((e) => !e.startsWith(`${k}=`)).concat(`${k}=${v}`);
          else out.labels[k!] = v!;
        }
        break;
      }
      case 'EXPOSE':
        for (const p of rest.split(/\s+/)) if (p) out.exposedPorts.push(p.includes('/') ? p : `${p}/tcp`);
        break;
      default:
        throw new InvalidArgumentError(`unsupported change instruction "${verb}" in "${change}"`);
    }
  }
  return out;
}

function ociConfig(config: ImageConfig, diffIds: string[], created: string): Record<string, unknown> {
  return {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: {
      Entrypoint: config.entrypoint.length ? config.entrypoint : undefined,
      Cmd: config.cmd.length ? config.cmd : undefined,
      Env: config.env.length ? config.env : undefined,
      WorkingDir: config.workingDir || undefined,
      User: config.user || undefined,
      Labels: Object.keys(config.labels).length ? config.labels : undefined,
      ExposedPorts: config.exposedPorts.length ? Object.fromEntries(config.exposedPorts.map((p) => [p, {}])) : undefined,
      StopSignal: config.stopSignal || undefined,
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * ImageStore in memory: images are records, layers kept as tar buffers so a
 * DirRootfsStore can populate root filesystems from them. load and save speak
 * docker-archive only (through GNU tar), enough for round trips in tests.
 */
export class MemoryImageStore implements ImageStore {
  private readonly images = new Map<string, ImageRecord>();
  /** Which containers use which image: remove refuses while any do. */
  private readonly users = new Map<string, string>();

  /** Adds an image record directly (no layers), for tests of other components. */
  add(summary: Partial<ImageSummary> & { names?: string[] }): ImageSummary {
    const id = summary.id ?? sha256(`${Math.random()}${Date.now()}`);
    const full: ImageSummary = {
      id,
      names: (summary.names ?? []).map(normalizeImageName),
      digest: summary.digest ?? `sha256:${sha256(id)}`,
      layers: summary.layers ?? [],
      size: summary.size ?? 0,
      createdAt: summary.createdAt ?? new Date().toISOString(),
      config: { ...emptyImageConfig(), ...summary.config },
    };
    for (const n of full.names) this.untagEverywhere(n);
    this.images.set(id, { summary: full, configJson: Buffer.from('{}'), layerTars: [] });
    return structuredClone(full);
  }

  /** The layer tarballs of an image, bottom first. */
  layerTars(imageId: string): Buffer[] {
    return this.images.get(imageId)?.layerTars ?? [];
  }

  /** Records that `containerId` uses `imageId` (called by the rootfs store). */
  retain(imageId: string, containerId: string): void {
    this.users.set(containerId, imageId);
  }

  release(containerId: string): void {
    this.users.delete(containerId);
  }

  private record(reference: string): ImageRecord {
    const ref = reference.replace(/^sha256:/, '');
    const byId = this.images.get(ref);
    if (byId) return byId;
    let name: string | undefined;
    try {
      name = normalizeImageName(reference);
    } catch {
      name = undefined;
    }
    const all = [...this.images.values()];
    const named = all.find((r) => r.summary.names.includes(reference) || (name && r.summary.names.includes(name)));
    if (named) return named;
    // "busybox" also matches "quay.io/x/busybox:latest" when only one image has that short name.
    const short = all.filter((r) => r.summary.names.some((n) => n.endsWith(`/${reference}`) || n.endsWith(`/${reference}:latest`)));
    if (short.length === 1) return short[0]!;
    if (/^[0-9a-f]{3,64}$/.test(ref)) {
      const prefixed = all.filter((r) => r.summary.id.startsWith(ref));
      if (prefixed.length === 1) return prefixed[0]!;
      if (prefixed.length > 1) throw new ConflictError(ErrorCode.InvalidArg, `image id prefix "${reference}" is ambiguous`);
    }
    throw new NotFoundError(ErrorCode.NoSuchImage, `image "${reference}" not found`, { details: { reference } });
  }

  private untagEverywhere(name: string): void {
    for (const r of this.images.values()) r.summary.names = r.summary.names.filter((n) => n !== name);
  }

  private store(configJson: Buffer, layerTars: Buffer[], names: string[], config: ImageConfig, createdAt: string): ImageSummary {
    const id = sha256(configJson);
    const layers = layerTars.map((t) => `sha256:${sha256(t)}`);
    const existing = this.images.get(id);
    const summary: ImageSummary = existing?.summary ?? {
      id,
      names: [],
      digest: `sha256:${sha256(JSON.stringify({ config: id, layers }))}`,
      layers,
      size: layerTars.reduce((s, t) => s + t.length, 0),
      createdAt,
      config,
    };
    for (const n of names) {
      this.untagEverywhere(n);
      summary.names.push(n);
    }
    this.images.set(id, { summary, configJson, layerTars });
    return structuredClone(summary);
  }

  async resolve(reference: string): Promise<ImageSummary> {
    return structuredClone(this.record(reference).summary);
  }

  async list(): Promise<ImageSummary[]> {
    return [...this.images.values()].map((r) => structuredClone(r.summary));
  }

  async importRootfs(tar: Readable, options: ImportOptions = {}): Promise<ImageSummary> {
    const bytes = await collect(tar);
    const config = applyImageChanges(emptyImageConfig(), options.changes ?? []);
    const createdAt = new Date().toISOString();
    const configJson = Buffer.from(JSON.stringify(ociConfig(config, [`sha256:${sha256(bytes)}`], createdAt)));
    const names = options.reference ? [normalizeImageName(options.reference)] : [];
    return this.store(configJson, [bytes], names, config, createdAt);
  }

  async load(archive: Readable): Promise<ImageSummary[]> {
    const dir = await mkdtemp(join(tmpdir(), 'corral-memimg-'));
    try {
      const child = spawn('tar', ['-x', '-C', dir, '--no-same-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
      await pipeline(archive, child.stdin).catch(() => undefined);
      if ((await exited) !== 0) throw new CorralError(ErrorCode.ArchiveInvalid, 'archive is not a tar file');
      let manifest: { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
      try {
        manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      } catch (err) {
        throw new CorralError(ErrorCode.ArchiveInvalid, 'archive has no readable manifest.json (only docker-archive is supported by the fake)', { cause: err });
      }
      const loaded: ImageSummary[] = [];
      for (const item of manifest) {
        const configJson = await readFile(join(dir, item.Config));
        const parsed = JSON.parse(configJson.toString('utf8'));
        const layerTars = await Promise.all(item.Layers.map((l) => readFile(join(dir, l))));
        const names = (item.RepoTags ?? []).map(normalizeImageName);
        loaded.push(this.store(configJson, layerTars, names, imageConfigFromOci(parsed), parsed.created ?? new Date().toISOString()));
      }
      return loaded;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async save(references: string[], out: Writable): Promise<void> {
    const records = references.map((r) => ({ ref: r, rec: this.record(r) }));
    const dir = await mkdtemp(join(tmpdir(), 'corral-memimg-'));
    try {
      const manifest = [];
      for (const { ref, rec } of records) {
        await writeFile(join(dir, `${rec.summary.id}.json`), rec.configJson);
        const layers: string[] = [];
        for (const tar of rec.layerTars) {
          const hex = sha256(tar);
          await mkdir(join(dir, hex), { recursive: true });
          await writeFile(join(dir, hex, 'layer.tar'), tar);
          layers.push(`${hex}/layer.tar`);
        }
        const named = rec.summary.names.includes(normalizeImageName(ref)) ? [normalizeImageName(ref)] : rec.summary.names;
        manifest.push({ Config: `${rec.summary.id}.json`, RepoTags: named, Layers: layers });
      }
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      const child = spawn('tar', ['-c', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
      await pipeline(child.stdout, out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async tag(reference: string, newName: string): Promise<void> {
    const rec = this.record(reference);
    const name = normalizeImageName(newName);
    this.untagEverywhere(name);
    rec.summary.names.push(name);
  }

  async remove(reference: string, options: { force?: boolean } = {}): Promise<RemoveImageResult> {
    const rec = this.record(reference);
    const id = rec.summary.id;
    let name: string | undefined;
    try {
      name = normalizeImageName(reference);
    } catch {
      name = undefined;
    }
    const byName = name !== undefined && rec.summary.names.includes(name) && !id.startsWith(reference.replace(/^sha256:/, ''));
    if (byName && rec.summary.names.length > 1) {
      rec.summary.names = rec.summary.names.filter((n) => n !== name);
      return { untagged: [name!], deleted: [] };
    }
    const users = [...this.users].filter(([, img]) => img === id).map(([ctr]) => ctr);
    if (users.length && !options.force) {
      throw new ConflictError(ErrorCode.ImageInUse, `image ${id} is in use by container(s) ${users.join(', ')}`, { details: { id, containers: users } });
    }
    this.images.delete(id);
    return { untagged: rec.summary.names, deleted: [id] };
  }

  async prune(): Promise<string[]> {
    const used = new Set(this.users.values());
    const pruned = [...this.images.values()].filter((r) => r.summary.names.length === 0 && !used.has(r.summary.id)).map((r) => r.summary.id);
    for (const id of pruned) this.images.delete(id);
    return pruned;
  }
}

/** Runs GNU tar; exported for the other fakes. */
export async function runTar(args: string[]): Promise<string> {
  const { stdout } = await run('tar', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
