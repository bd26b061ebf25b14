import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CheckpointBackend, ContainerStatus as S, definePlugin, initialState, type Container, type CreateContainerOptions } from '@corral/core';
import { createTestEngine, type TestEngine } from '@corral/testkit';

/** A checkpoint backend that only records what it is asked (core's unit tests). */
export const fakeCheckpointPlugin = definePlugin({
  id: 'fake-checkpoint',
  provides: [CheckpointBackend],
  register(ctx) {
    ctx.container.register(CheckpointBackend, {
      useValue: {
        criuPath: () => '/fake/criu',
        exportArchive: async () => undefined,
        importArchive: async () => {
          throw new Error('not used');
        },
      },
    });
  },
});

export async function testEngine(): Promise<TestEngine> {
  return createTestEngine({ extra: [fakeCheckpointPlugin] });
}

export async function create(t: TestEngine, options: Partial<CreateContainerOptions> = {}): Promise<Container> {
  return t.engine.createContainer({ image: 'test', ...options });
}

/** Drives a new container into `status` through real operations where one exists. */
export async function containerIn(t: TestEngine, status: S): Promise<Container> {
  const command = status === S.Stopping ? ['ignore-term'] : ['sleep'];
  const ctr = await create(t, { command });
  switch (status) {
    case S.Configured:
      break;
    case S.Created:
      await ctr.init();
      break;
    case S.Running:
      await ctr.start();
      break;
    case S.Paused:
      await ctr.start();
      await ctr.pause();
      break;
    case S.Stopped:
      await ctr.start();
      t.runtime.exitProcess(ctr.id, 0);
      break;
    case S.Exited:
      await ctr.start();
      await ctr.stop(0);
      break;
    case S.Stopping:
      // What a stop leaves while it waits: the signal sent, the state saved, no lock.
      await ctr.start();
      await t.runtime.kill(ctr.id, 15);
      await setStatus(t, ctr, S.Stopping);
      break;
    case S.Removing:
    case S.Unknown:
      await setStatus(t, ctr, status);
      break;
  }
  await ctr.sync();
  return ctr;
}

export async function setStatus(t: TestEngine, ctr: Container, status: S): Promise<void> {
  const state = await t.store.containers.getState(ctr.id);
  await t.store.containers.saveState(ctr.id, { ...(state ?? initialState(status)), status });
}

/** Where the engine looks for a container's checkpoint images. */
export async function fakeCheckpointImages(t: TestEngine, ctr: Container): Promise<void> {
  await mkdir(join(t.root, 'lib', 'engine', 'containers', ctr.id, 'checkpoint', 'images'), { recursive: true });
}

export function sink(): PassThrough {
  const s = new PassThrough();
  s.resume();
  return s;
}
