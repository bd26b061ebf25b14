import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Engine,
  EventBackend,
  ImageStore,
  LockManager,
  OciRuntime,
  RootfsStore,
  StateStore,
  definePlugin,
  silentLogger,
  type EngineOptions,
  type ImageSummary,
  type Plugin,
} from '@corral/core';
import { MemoryStateStore } from './fakes/memory-state-store.js';
import { MemoryLockManager } from './fakes/memory-lock-manager.js';
import { MemoryEventBackend } from './fakes/memory-event-backend.js';
import { MemoryImageStore } from './fakes/memory-image-store.js';
import { DirRootfsStore } from './fakes/dir-rootfs-store.js';
import { FakeOciRuntime } from './fakes/fake-oci-runtime.js';

export interface TestEngine {
  engine: Engine;
  runtime: FakeOciRuntime;
  store: MemoryStateStore;
  locks: MemoryLockManager;
  events: MemoryEventBackend;
  images: MemoryImageStore;
  rootfs: DirRootfsStore;
  /** An image named "test" with CMD ["sleep"], present from the start. */
  image: ImageSummary;
  root: string;
  dispose(): Promise<void>;
}

/** A plugin that provides `token` with a ready-made value. */
export function valuePlugin<T>(id: string, token: symbol, value: T): Plugin {
  return definePlugin({ id, provides: [token], register: (ctx) => ctx.container.register(token, { useValue: value }) });
}

/**
 * An engine assembled from the testkit's fakes, for core's unit tests. `extra` adds
 * plugins (a fake network or checkpoint backend).
 */
export async function createTestEngine(options: { extra?: Plugin[]; engine?: Partial<EngineOptions> } = {}): Promise<TestEngine> {
  const root = await mkdtemp(join(tmpdir(), 'corral-test-engine-'));
  const runtime = new FakeOciRuntime();
  const store = new MemoryStateStore();
  const locks = new MemoryLockManager();
  const events = new MemoryEventBackend();
  const images = new MemoryImageStore();
  const rootfs = new DirRootfsStore(images, join(root, 'rootfs'));
  const image = images.add({ names: ['localhost/test:latest'], config: { entrypoint: [], cmd: ['sleep'], env: ['PATH=/bin'], workingDir: '', user: '', labels: {}, exposedPorts: [], stopSignal: '' } });
  const engine = await Engine.create({
    plugins: [
      valuePlugin('fake-state', StateStore, store),
      valuePlugin('fake-locks', LockManager, locks),
      valuePlugin('fake-events', EventBackend, events),
      valuePlugin('fake-images', ImageStore, images),
      valuePlugin('fake-rootfs', RootfsStore, rootfs),
      valuePlugin('fake-runtime', OciRuntime, runtime),
      ...(options.extra ?? []),
    ],
    root: join(root, 'lib'),
    runRoot: join(root, 'run'),
    logger: silentLogger,
    ...options.engine,
  });
  return {
    engine,
    runtime,
    store,
    locks,
    events,
    images,
    rootfs,
    image,
    root,
    async dispose() {
      await engine.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
