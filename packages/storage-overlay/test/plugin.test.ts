import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageStore, Kernel, RootfsStore } from '@corral/core';
import { createStorageOverlayPlugin } from '../src/index.js';
import { removeRoot, silentLogger } from './helpers.js';
import { buildTar } from './tar-builder.js';

describe('storage-overlay plugin', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await removeRoot(dir);
  });

  it('provides ImageStore and RootfsStore over one store in its state dir', async () => {
    dir = await mkdtemp(join(tmpdir(), 'corral-plugin-'));
    const kernel = await Kernel.assemble({ plugins: [createStorageOverlayPlugin()], root: join(dir, 'lib'), runRoot: join(dir, 'run'), logger: silentLogger });
    try {
      const images = kernel.get(ImageStore);
      const rootfs = kernel.get(RootfsStore);
      const img = await images.importRootfs(Readable.from([await buildTar([{ name: 'x', content: 'y' }])]), { reference: 'p' });
      await rootfs.create('c', img.id);
      await expect(images.remove('p')).rejects.toMatchObject({ code: 'IMAGE_IN_USE' });
      await rootfs.remove('c');
      expect(existsSync(join(dir, 'lib', 'storage-overlay', 'storage.db'))).toBe(true);
    } finally {
      await kernel.stop();
    }
  });
});
