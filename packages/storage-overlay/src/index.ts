export { createStorageOverlayPlugin, storageOverlayPlugin, openOverlayStore, type StorageOverlayConfig } from './plugin.js';
export { OverlayStorage } from './storage.js';
export { OverlayImageStore } from './image-store.js';
export { OverlayRootfsStore } from './rootfs-store.js';
export { applyChanges } from './changes.js';
export { Unpacker, unpack, type UnpackOptions, type UnpackResult } from './unpack.js';
