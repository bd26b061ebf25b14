import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@corral/core';
import { applyChanges, openOverlayStore } from '../src/index.js';
import { silentLogger, tempStore } from './helpers.js';
import { buildTar, dockerArchive, gzip, ociArchive, sha256, zstd } from './tar-builder.js';

type Store = Awaited<ReturnType<typeof tempStore>>;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('image changes', () => {
  it('parses --change in JSON and shell forms', () => {
    const c = applyChanges({}, [
      'CMD echo "hi there"',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'ENV A=1 B="two words" C=three\\ words',
      'ENV LEGACY some value',
      'LABEL "com.example.quoted"="yes it is" plain=1',
      'EXPOSE 80 53/udp 8000-8010/tcp',
      'VOLUME ["/data", "/logs"]',
      'WORKDIR /srv',
      'WORKDIR app',
      'USER nobody',
      'STOPSIGNAL SIGTERM',
    ]);
    expect(c.Cmd).toEqual(['/bin/sh', '-c', 'echo "hi there"']);
    expect(c.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(c.Env).toEqual(['A=1', 'B=two words', 'C=three words', 'LEGACY=some value']);
    expect(c.Labels).toEqual({ 'com.example.quoted': 'yes it is', plain: '1' });
    expect(Object.keys(c.ExposedPorts!)).toEqual(['80/tcp', '53/udp', '8000-8010/tcp']);
    expect(Object.keys(c.Volumes!)).toEqual(['/data', '/logs']);
    expect(c.WorkingDir).toBe('/srv/app');
    expect(c.User).toBe('nobody');
    expect(c.StopSignal).toBe('SIGTERM');
    expect(() => applyChanges({}, ['CMD ["unterminated"'])).toThrow(/invalid JSON/);
    expect(() => applyChanges({}, ['EXPOSE eighty'])).toThrow(/invalid port/);
    expect(() => applyChanges({}, ['RUN rm -rf /'])).toThrow(/unsupported instruction RUN/);
  });
});

describe('overlay store', () => {
  let s: Store;
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(async () => {
    await s.cleanup();
  });

  const base = () => buildTar([{ name: 'bin/', type: 'directory' }, { name: 'bin/tool', content: 'tool v1\n', mode: 0o755 }]);
  const top = () => buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/conf', content: 'conf\n' }]);

  it('loads gzip and zstd layers (told apart by magic bytes) and keeps the blobs as received', async () => {
    const [l1, l2] = [await base(), await top()];
    const [img] = await s.images.load(Readable.from([await dockerArchive([{ layers: [l1, l2], blobs: [gzip(l1), zstd(l2)], tags: ['compressed'] }])]));
    expect(img!.layers).toEqual([`sha256:${sha256(l1)}`, `sha256:${sha256(l2)}`]);
    expect(await readdir(s.storage.blobsDir)).toEqual(expect.arrayContaining([sha256(gzip(l1)), sha256(zstd(l2))]));
    await s.rootfs.create('c', img!.id);
    const merged = await s.rootfs.mount('c');
    expect(await readFile(join(merged, 'bin/tool'), 'utf8')).toBe('tool v1\n');
    expect(await readFile(join(merged, 'etc/conf'), 'utf8')).toBe('conf\n');
    await s.rootfs.unmount('c');
    // save decompresses: the layer tars of a docker-archive hash to the diff ids.
    const out = new PassThrough();
    const [, archive] = await Promise.all([s.images.save(['compressed'], out), collect(out)]);
    const other = await tempStore();
    try {
      const [again] = await other.images.load(Readable.from([archive]));
      expect(again!.id).toBe(img!.id);
    } finally {
      await other.cleanup();
    }
  });

  it('imports a gzip-compressed rootfs tarball', async () => {
    const tar = await base();
    const img = await s.images.importRootfs(Readable.from([gzip(tar)]), { reference: 'gz' });
    expect(img.layers).toEqual([`sha256:${sha256(tar)}`]);
  });

  it('loads an oci-archive with zstd layers and names from ref.name', async () => {
    const l1 = await base();
    const archive = await ociArchive([{ layers: [l1], blobs: [zstd(l1)], tags: ['quay.io/example/tool:2'], mediaTypes: ['application/vnd.oci.image.layer.v1.tar+zstd'] }]);
    const [img] = await s.images.load(Readable.from([archive]));
    expect(img!.names).toEqual(['quay.io/example/tool:2']);
    expect((await s.images.resolve('tool:2')).id).toBe(img!.id);
  });

  it('refuses an oci blob whose content does not match its digest', async () => {
    const l1 = await base();
    const archive = await ociArchive([{ layers: [l1], tags: ['x/y:1'] }]);
    // Flip one byte of the layer blob's content inside the archive.
    const at = archive.indexOf(Buffer.from('tool v1'));
    archive[at] = 'T'.charCodeAt(0);
    await expect(s.images.load(Readable.from([archive]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
  });

  it('unpacks a layer once however many images use it, and collects it when none does', async () => {
    const shared = await base();
    const archive = await dockerArchive([
      { layers: [shared], tags: ['one'] },
      { layers: [shared, await top()], tags: ['two'] },
    ]);
    const [one, two] = await s.images.load(Readable.from([archive]));
    const layerDirs = async () => (await readdir(s.storage.layersDir)).filter((d) => d !== 'l');
    expect(await layerDirs()).toHaveLength(2);
    await s.images.load(Readable.from([archive]));
    expect(await layerDirs()).toHaveLength(2);
    expect(await s.images.list()).toHaveLength(2);
    await s.images.remove(one!.id);
    expect(await layerDirs()).toHaveLength(2);
    await s.rootfs.create('c', two!.id);
    await s.images.remove(two!.id, { force: true });
    expect(await layerDirs()).toHaveLength(2);
    await s.rootfs.remove('c');
    expect(await layerDirs()).toHaveLength(0);
    expect(await readdir(s.storage.blobsDir)).toEqual([]);
  });

  it('resolves short names against other registries, and reports ambiguity', async () => {
    const tar = await base();
    const a = await s.images.importRootfs(Readable.from([tar]), { reference: 'quay.io/a/tool:1' });
    expect((await s.images.resolve('tool:1')).id).toBe(a.id);
    expect((await s.images.resolve('a/tool:1')).id).toBe(a.id);
    await s.images.importRootfs(Readable.from([tar]), { reference: 'docker.io/b/tool:1' });
    await expect(s.images.resolve('tool:1')).rejects.toMatchObject({ message: expect.stringContaining('ambiguous') });
    await expect(s.images.importRootfs(Readable.from([tar]), { reference: 'Bad Name' })).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
  });

  it('keeps images and mount counts across reopening', async () => {
    const img = await s.images.importRootfs(Readable.from([await base()]), { reference: 'persist' });
    await s.rootfs.create('c', img.id);
    await s.rootfs.mount('c');
    await s.rootfs.mount('c');
    s.close();
    const again = await openOverlayStore(s.root, silentLogger);
    try {
      expect((await again.images.resolve('persist')).id).toBe(img.id);
      expect(again.rootfs.mountCount('c')).toBe(2);
      expect(await again.rootfs.unmount('c')).toBe(false);
      expect(await again.rootfs.unmount('c')).toBe(true);
    } finally {
      again.close();
    }
  });

  it('agrees on the mount count with another process', async () => {
    const img = await s.images.importRootfs(Readable.from([await base()]), { reference: 'shared' });
    await s.rootfs.create('c', img.id);
    const merged = await s.rootfs.mount('c');
    const child = resolve(import.meta.dirname, 'fixtures/mount-child.ts');
    const { stdout } = await execa('node', ['--import', 'tsx', child, s.root, 'c', 'mount']);
    expect(stdout.trim()).toBe(merged);
    expect(s.rootfs.mountCount('c')).toBe(2);
    expect(await s.rootfs.unmount('c')).toBe(false);
    const second = await execa('node', ['--import', 'tsx', child, s.root, 'c', 'unmount']);
    expect(second.stdout.trim()).toBe('true');
    expect(s.rootfs.mountCount('c')).toBe(0);
  });

  it('diff reports an opaque directory as deleted and re-adds its content', async () => {
    const img = await s.images.importRootfs(Readable.from([await buildTar([{ name: 'd/', type: 'directory' }, { name: 'd/old', content: 'o' }])]));
    await s.rootfs.create('c', img.id);
    const merged = await s.rootfs.mount('c');
    await execa('rm', ['-rf', join(merged, 'd')]);
    await execa('mkdir', [join(merged, 'd')]);
    await writeFile(join(merged, 'd/new'), 'n');
    const diff = await s.rootfs.diff('c');
    expect(diff.deleted).toEqual(['d']);
    const tar = await collect(diff.tar);
    await s.rootfs.unmount('c');
    await s.rootfs.create('c2', img.id);
    await s.rootfs.applyDiff('c2', Readable.from([tar]), diff.deleted);
    const m2 = await s.rootfs.mount('c2');
    expect((await readdir(join(m2, 'd'))).sort()).toEqual(['new']);
    await s.rootfs.unmount('c2');
  });

  it('export of an unmounted container mounts it for the duration only', async () => {
    const img = await s.images.importRootfs(Readable.from([await base()]));
    await s.rootfs.create('c', img.id);
    const tar = await collect(await s.rootfs.export('c'));
    expect(tar.length).toBeGreaterThan(1024);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.rootfs.mountCount('c')).toBe(0);
  });
});
