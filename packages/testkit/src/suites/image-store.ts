import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, codeOf, type ImageStore } from '@corral/core';

const run = promisify(execFile);

export interface ImageStoreHarness {
  store: ImageStore;
  cleanup(): Promise<void>;
}

/** A file tree for a test rootfs: path -> content, or { symlink } for a link. */
export type TreeSpec = Record<string, string | { symlink: string }>;

/** Builds a rootfs tarball with GNU tar from a tree spec (uncompressed, numeric owners). */
export async function makeRootfsTar(tree: TreeSpec): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'corral-tree-'));
  try {
    const root = join(dir, 'root');
    await mkdir(root);
    for (const [path, content] of Object.entries(tree)) {
      const full = join(root, path);
      await mkdir(dirname(full), { recursive: true });
      if (typeof content === 'string') await writeFile(full, content);
      else await symlink(content.symlink, full);
    }
    await run('tar', ['-c', '-f', join(dir, 'out.tar'), '-C', root, '--numeric-owner', '--owner=0', '--group=0', '.']);
    return await readFile(join(dir, 'out.tar'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Lists the entries of a tar buffer (names without a leading "./"). */
export async function listTar(tar: Buffer): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'corral-list-'));
  try {
    await writeFile(join(dir, 'x.tar'), tar);
    const { stdout } = await run('tar', ['-t', '-f', join(dir, 'x.tar')], { maxBuffer: 64 << 20 });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((n) => n.replace(/^\.\//, '').replace(/\/$/, ''))
      .filter((n) => n && n !== '.');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads one file's content out of a tar buffer. */
export async function readTarFile(tar: Buffer, path: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'corral-read-'));
  try {
    await writeFile(join(dir, 'x.tar'), tar);
    const names = await listTar(tar);
    const raw = (await run('tar', ['-t', '-f', join(dir, 'x.tar')])).stdout.split('\n');
    const member = raw.find((n) => n.replace(/^\.\//, '') === path) ?? (names.includes(path) ? path : `./${path}`);
    const { stdout } = await run('tar', ['-x', '-O', '-f', join(dir, 'x.tar'), member]);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Runs `fn` expecting a CorralError with `code`. */
export async function expectCode(fn: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(Error);
  expect(codeOf(caught)).toBe(code);
}

const SMALL_TREE: TreeSpec = { 'bin/hello': '#!/bin/sh\necho hello\n', 'etc/os-release': 'NAME=test\n', 'bin/hi': { symlink: 'hello' } };

/**
 * The ImageStore contract: import, resolve (id, prefix, names, podman's short
 * names), tags, removal, prune, and docker-archive save/load round trips.
 */
export function describeImageStoreContract(name: string, factory: () => Promise<ImageStoreHarness>): void {
  describe(`ImageStore contract: ${name}`, () => {
    let h: ImageStoreHarness;
    let store: ImageStore;
    const extra: ImageStoreHarness[] = [];
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
      for (const e of extra.splice(0)) await e.cleanup();
    });

    const importSmall = async (reference?: string, changes?: string[]) =>
      store.importRootfs(Readable.from([await makeRootfsTar(SMALL_TREE)]), { reference, changes });

    it('imports a rootfs tarball as a one-layer image named like podman', async () => {
      const img = await importSmall('busybox');
      expect(img.id).toMatch(/^[0-9a-f]{64}$/);
      expect(img.names).toEqual(['localhost/busybox:latest']);
      expect(img.layers).toHaveLength(1);
      expect(img.layers[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(img.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(img.createdAt))).toBe(false);
      expect(await store.list()).toEqual([expect.objectContaining({ id: img.id })]);
    });

    it('resolves by id, sha256 id, unique prefix, full name and short names', async () => {
      const img = await importSmall('quay.io/test/tool:1.0');
      const other = await importSmall('busybox');
      for (const ref of [img.id, `sha256:${img.id}`, img.id.slice(0, 12), 'quay.io/test/tool:1.0']) {
        expect((await store.resolve(ref)).id, ref).toBe(img.id);
      }
      for (const ref of ['busybox', 'busybox:latest', 'localhost/busybox', 'localhost/busybox:latest']) {
        expect((await store.resolve(ref)).id, ref).toBe(other.id);
      }
      await expectCode(() => store.resolve('nothing-here'), ErrorCode.NoSuchImage);
      await expectCode(() => store.resolve('busybox:2'), ErrorCode.NoSuchImage);
    });

    it('applies --change instructions to the image config', async () => {
      const img = await importSmall('changed', [
        'CMD ["/bin/hello", "a b"]',
        'ENTRYPOINT /bin/sh',
        'ENV A=1',
        'ENV B="two words" C=3',
        'ENV D legacy form',
        'WORKDIR /srv',
        'USER 1000:1000',
        'LABEL org.example=yes',
        'EXPOSE 8080',
        'EXPOSE 53/udp',
        'STOPSIGNAL SIGINT',
      ]);
      const c = (await store.resolve(img.id)).config;
      expect(c.cmd).toEqual(['/bin/hello', 'a b']);
      expect(c.entrypoint).toEqual(['/bin/sh', '-c', '/bin/sh']);
      expect(c.env).toEqual(expect.arrayContaining(['A=1', 'B=two words', 'C=3', 'D=legacy form']));
      expect(c.workingDir).toBe('/srv');
      expect(c.user).toBe('1000:1000');
      expect(c.labels).toEqual({ 'org.example': 'yes' });
      expect(c.exposedPorts.sort()).toEqual(['53/udp', '8080/tcp']);
      expect(c.stopSignal).toBe('SIGINT');
    });

    it('refuses an unknown change instruction', async () => {
      await expectCode(() => importSmall('x', ['FROBNICATE yes']), ErrorCode.InvalidArg);
    });

    it('tags: adds a name, and moves a name taken by another image', async () => {
      const a = await importSmall('a');
      const b = await importSmall('b');
      await store.tag(a.id, 'registry.example.com/team/a:v1');
      expect((await store.resolve('registry.example.com/team/a:v1')).id).toBe(a.id);
      await store.tag(b.id, 'a');
      expect((await store.resolve('a')).id).toBe(b.id);
      expect((await store.resolve(a.id)).names).toEqual(['registry.example.com/team/a:v1']);
      await expectCode(() => store.tag('missing', 'x'), ErrorCode.NoSuchImage);
    });

    it('remove by a name untags when other names remain; by id it deletes', async () => {
      const a = await importSmall('a');
      await store.tag(a.id, 'a:two');
      const untag = await store.remove('a:two');
      expect(untag).toEqual({ untagged: ['localhost/a:two'], deleted: [] });
      const del = await store.remove(a.id);
      expect(del.deleted).toEqual([a.id]);
      expect(del.untagged).toEqual(['localhost/a:latest']);
      await expectCode(() => store.resolve(a.id), ErrorCode.NoSuchImage);
      await expectCode(() => store.remove(a.id), ErrorCode.NoSuchImage);
    });

    it('prune removes only images without names', async () => {
      const named = await importSmall('keep');
      const dangling = await importSmall();
      expect(dangling.names).toEqual([]);
      expect(await store.prune()).toEqual([dangling.id]);
      expect((await store.list()).map((i) => i.id)).toEqual([named.id]);
    });

    it('saves a docker-archive that loads back with the same id, names and config', async () => {
      const img = await importSmall('roundtrip:1', ['CMD ["/bin/hello"]', 'ENV X=y']);
      const out = new PassThrough();
      const [, archive] = await Promise.all([store.save(['roundtrip:1'], out), collect(out)]);
      const names = await listTar(archive);
      expect(names).toContain('manifest.json');
      const fresh = await factory();
      extra.push(fresh);
      const loaded = await fresh.store.load(Readable.from([archive]));
      expect(loaded).toHaveLength(1);
      expect(loaded[0]!.id).toBe(img.id);
      expect(loaded[0]!.names).toEqual(['localhost/roundtrip:1']);
      expect(loaded[0]!.layers).toEqual(img.layers);
      expect(loaded[0]!.config.cmd).toEqual(['/bin/hello']);
      expect(loaded[0]!.config.env).toContain('X=y');
    });

    it('save of an unknown image is NO_SUCH_IMAGE', async () => {
      await expectCode(() => store.save(['missing'], new PassThrough()), ErrorCode.NoSuchImage);
    });

    it('load of something that is not an image archive is ARCHIVE_INVALID', async () => {
      await expectCode(() => store.load(Readable.from([Buffer.from('not a tarball at all'.repeat(100))])), ErrorCode.ArchiveInvalid);
      const tarWithoutManifest = await makeRootfsTar({ 'hello.txt': 'x' });
      await expectCode(() => store.load(Readable.from([tarWithoutManifest])), ErrorCode.ArchiveInvalid);
    });
  });
}
