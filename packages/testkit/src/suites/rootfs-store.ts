import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type ImageStore, type ImageSummary, type RootfsStore } from '@corral/core';
import { collect, expectCode, listTar, makeRootfsTar, readTarFile } from './image-store.js';

export interface RootfsStoreHarness {
  /** The image store the rootfs store takes images from. */
  images: ImageStore;
  rootfs: RootfsStore;
  cleanup(): Promise<void>;
}

const TREE = {
  'bin/hello': '#!/bin/sh\necho hello\n',
  'etc/motd': 'welcome\n',
  'etc/gone': 'delete me\n',
  'var/lib/data/a': 'a\n',
  'var/lib/data/b': 'b\n',
};

/**
 * The RootfsStore contract: a container's tree over its image, reference-counted
 * mounts, export, diff and applyDiff (with deleted paths confined to the tree), and
 * the image-in-use rule shared with the image store.
 */
export function describeRootfsStoreContract(name: string, factory: () => Promise<RootfsStoreHarness>): void {
  describe(`RootfsStore contract: ${name}`, () => {
    let h: RootfsStoreHarness;
    let image: ImageSummary;
    let outside: string;
    const created: string[] = [];
    beforeEach(async () => {
      h = await factory();
      image = await h.images.importRootfs(Readable.from([await makeRootfsTar(TREE)]), { reference: 'rootfs-test' });
      outside = await mkdtemp(join(tmpdir(), 'corral-outside-'));
    });
    afterEach(async () => {
      for (const id of created.splice(0)) await h.rootfs.remove(id).catch(() => undefined);
      await h.cleanup();
      await rm(outside, { recursive: true, force: true });
    });
    const create = async (id: string) => {
      created.push(id);
      await h.rootfs.create(id, image.id);
    };

    it('mounts the image tree, reference-counted', async () => {
      await create('c1');
      const path = await h.rootfs.mount('c1');
      expect(await readFile(join(path, 'etc/motd'), 'utf8')).toBe('welcome\n');
      expect(await h.rootfs.mount('c1')).toBe(path);
      expect(await h.rootfs.unmount('c1')).toBe(false);
      expect(await h.rootfs.unmount('c1')).toBe(true);
      expect(await h.rootfs.unmount('c1')).toBe(true);
    });

    it('force unmount drops every reference', async () => {
      await create('c1');
      await h.rootfs.mount('c1');
      await h.rootfs.mount('c1');
      await h.rootfs.mount('c1');
      expect(await h.rootfs.unmount('c1', true)).toBe(true);
    });

    it('keeps a container\'s changes across unmount and mount, apart from other containers', async () => {
      await create('c1');
      await create('c2');
      const p1 = await h.rootfs.mount('c1');
      await writeFile(join(p1, 'etc/motd'), 'changed\n');
      await h.rootfs.unmount('c1');
      const p2 = await h.rootfs.mount('c2');
      expect(await readFile(join(p2, 'etc/motd'), 'utf8')).toBe('welcome\n');
      expect(await readFile(join(await h.rootfs.mount('c1'), 'etc/motd'), 'utf8')).toBe('changed\n');
      await h.rootfs.unmount('c1', true);
      await h.rootfs.unmount('c2', true);
    });

    it('rejects unknown containers and images, and a second create', async () => {
      await expectCode(() => h.rootfs.mount('nope'), ErrorCode.NoSuchCtr);
      await expectCode(() => h.rootfs.create('c-bad', 'no-such-image'), ErrorCode.NoSuchImage);
      await create('c1');
      await expectCode(() => h.rootfs.create('c1', image.id), ErrorCode.CtrExists);
    });

    it('remove is idempotent and forgets the container', async () => {
      await create('c1');
      await h.rootfs.mount('c1');
      await h.rootfs.remove('c1');
      await h.rootfs.remove('c1');
      await expectCode(() => h.rootfs.mount('c1'), ErrorCode.NoSuchCtr);
    });

    it('exports the merged tree as a tar stream', async () => {
      await create('c1');
      const p = await h.rootfs.mount('c1');
      await writeFile(join(p, 'new.txt'), 'new\n');
      await h.rootfs.unmount('c1');
      const tar = await collect(await h.rootfs.export('c1'));
      const names = await listTar(tar);
      expect(names).toEqual(expect.arrayContaining(['bin/hello', 'etc/motd', 'new.txt']));
      expect(await readTarFile(tar, 'new.txt')).toBe('new\n');
    });

    it('diffs a container\'s changes and applies them to another container', async () => {
      await create('c1');
      const p = await h.rootfs.mount('c1');
      await writeFile(join(p, 'etc/motd'), 'modified\n');
      await mkdir(join(p, 'srv'));
      await writeFile(join(p, 'srv/added'), 'added\n');
      await unlink(join(p, 'etc/gone'));
      await rm(join(p, 'var/lib/data'), { recursive: true });
      const diff = await h.rootfs.diff('c1');
      const tar = await collect(diff.tar);
      const names = await listTar(tar);
      expect(names).toEqual(expect.arrayContaining(['etc/motd', 'srv/added']));
      expect(names).not.toContain('bin/hello');
      expect(diff.deleted.sort()).toEqual(['etc/gone', 'var/lib/data']);
      await h.rootfs.unmount('c1', true);

      await create('c2');
      await h.rootfs.applyDiff('c2', Readable.from([tar]), diff.deleted);
      const q = await h.rootfs.mount('c2');
      expect(await readFile(join(q, 'etc/motd'), 'utf8')).toBe('modified\n');
      expect(await readFile(join(q, 'srv/added'), 'utf8')).toBe('added\n');
      expect(existsSync(join(q, 'etc/gone'))).toBe(false);
      expect(existsSync(join(q, 'var/lib/data'))).toBe(false);
      expect(existsSync(join(q, 'bin/hello'))).toBe(true);
      await h.rootfs.unmount('c2', true);
    });

    it('applyDiff never deletes outside the container tree', async () => {
      await writeFile(join(outside, 'victim'), 'keep\n');
      await create('c1');
      const p = await h.rootfs.mount('c1');
      await symlink(outside, join(p, 'escape'));
      await h.rootfs.unmount('c1');
      const emptyTar = await makeRootfsTar({});
      const hostile = ['escape/victim', `../../../../../../..${outside}/victim`, `${outside}/victim`, 'etc/../../../../../..' + outside + '/victim'];
      await h.rootfs.applyDiff('c1', Readable.from([emptyTar]), hostile).catch(() => undefined);
      expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('keep\n');
    });

    it('an image used by a container is IMAGE_IN_USE unless forced, and is not pruned', async () => {
      const dangling = await h.images.importRootfs(Readable.from([await makeRootfsTar({ 'x': 'y' })]));
      created.push('c-dangling');
      await h.rootfs.create('c-dangling', dangling.id);
      expect(await h.images.prune()).toEqual([]);
      await create('c1');
      await expectCode(() => h.images.remove(image.id), ErrorCode.ImageInUse);
      await h.rootfs.remove('c1');
      await h.rootfs.remove('c-dangling');
      expect((await h.images.remove(image.id)).deleted).toEqual([image.id]);
      expect(await h.images.prune()).toEqual([dangling.id]);
    });

    it('a forced image removal leaves the container usable until it is removed', async () => {
      await create('c1');
      expect((await h.images.remove(image.id, { force: true })).deleted).toEqual([image.id]);
      const p = await h.rootfs.mount('c1');
      expect(await readFile(join(p, 'etc/motd'), 'utf8')).toBe('welcome\n');
      await h.rootfs.unmount('c1', true);
      await h.rootfs.remove('c1');
    });
  });
}
