import { describeImageStoreContract } from '@corral/testkit/suites/image-store';
import { describeRootfsStoreContract } from '@corral/testkit/suites/rootfs-store';
import { tempStore } from './helpers.js';

describeImageStoreContract('storage-overlay', async () => {
  const s = await tempStore();
  return { store: s.images, cleanup: s.cleanup };
});

describeRootfsStoreContract('storage-overlay', async () => {
  const s = await tempStore();
  return { images: s.images, rootfs: s.rootfs, cleanup: s.cleanup };
});
