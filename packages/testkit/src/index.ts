export * from './test-engine.js';
export * from './fakes/fake-oci-runtime.js';
export * from './fakes/memory-state-store.js';
export * from './fakes/memory-lock-manager.js';
export * from './fakes/memory-event-backend.js';
export * from './fakes/memory-image-store.js';
export * from './fakes/dir-rootfs-store.js';
