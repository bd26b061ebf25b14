import { ImageStore, RootfsStore, definePlugin } from '@corral/core';
import { OverlayImageStore } from './image-store.js';
import { OverlayRootfsStore } from './rootfs-store.js';
import { OverlayStorage } from './storage.js';

export interface StorageOverlayConfig {
  /** Where blobs, layers, containers and the database live (default: the plugin's state dir). */
  root?: string;
}

/** Opens an overlay store at `root`: both contracts over one database and one set of layers. */
export async function openOverlayStore(root: string, logger: import('@corral/core').Logger) {
  const storage = new OverlayStorage(root, logger);
  await storage.open();
  const images = new OverlayImageStore(storage);
  const rootfs = new OverlayRootfsStore(storage, images);
  return { storage, images, rootfs, close: () => storage.close() };
}


/**
 * The storage plugin: ImageStore and RootfsStore on overlayfs, metadata in SQLite.
 * A factory, because each engine needs its own store.
 */
export function createStorageOverlayPlugin() {
  let storage: OverlayStorage | undefined;
  return definePlugin<StorageOverlayConfig>({
    id: 'storage-overlay',
    provides: [ImageStore, RootfsStore],
    register(ctx) {
      storage = new OverlayStorage(ctx.config.root ?? ctx.stateDir, ctx.logger);
      const images = new OverlayImageStore(storage);
      const rootfs = new OverlayRootfsStore(storage, images);
      ctx.container.register(ImageStore, { useValue: images });
      ctx.container.register(RootfsStore, { useValue: rootfs });
    },
    async start() {
      await storage!.open();
    },
    async stop() {
      storage?.close();
    },
  });
}

/** A plugin value for composition by value; an engine assembled from it owns its store until it stops. */
export const storageOverlayPlugin = createStorageOverlayPlugin();
