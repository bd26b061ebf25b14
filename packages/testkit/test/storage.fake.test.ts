import { describeImageStoreContract } from '../src/suites/image-store.js';
import { describeRootfsStoreContract } from '../src/suites/rootfs-store.js';
import { MemoryImageStore } from '../src/fakes/memory-image-store.js';
import { DirRootfsStore } from '../src/fakes/dir-rootfs-store.js';

describeImageStoreContract('MemoryImageStore', async () => ({ store: new MemoryImageStore(), cleanup: async () => undefined }));

describeRootfsStoreContract('DirRootfsStore over MemoryImageStore', async () => {
  const images = new MemoryImageStore();
  const rootfs = new DirRootfsStore(images);
  return { images, rootfs, cleanup: () => rootfs.dispose() };
});
