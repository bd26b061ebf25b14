import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStatus as S } from '@corral/core';
import type { TestEngine } from '@corral/testkit';
import { create, fakeCheckpointImages, sink, testEngine } from './helpers.js';

let t: TestEngine;
beforeEach(async () => {
  t = await testEngine();
});
afterEach(async () => {
  await t.dispose();
});

describe('every container operation emits its event', () => {
  it('through a whole life', async () => {
    const ctr = await create(t, { name: 'life', labels: { app: 'demo' } });
    await ctr.mount();
    await ctr.unmount();
    await ctr.init();
    await ctr.start();
    await ctr.pause();
    await ctr.unpause();
    await ctr.exec({ command: ['exit', '0'] }, { stdout: sink() });
    await ctr.kill('SIGWINCH');
    const detach = new AbortController();
    setTimeout(() => detach.abort(), 10);
    await ctr.attach({ stdout: sink() }, { signal: detach.signal });
    await ctr.restart(0);
    await ctr.checkpoint();
    await fakeCheckpointImages(t, ctr);
    await ctr.restore();
    t.runtime.exitProcess(ctr.id, 4);
    await ctr.sync();
    await ctr.cleanup();
    expect((await ctr.sync()).status).toBe(S.Exited);
    await ctr.remove();

    const actions = new Set(t.events.events.map((e) => e.action));
    for (const action of [
      'create', 'mount', 'unmount', 'init', 'start', 'pause', 'unpause', 'exec', 'exec_died', 'kill',
      'attach', 'stop', 'restart', 'checkpoint', 'restore', 'died', 'cleanup', 'remove',
    ]) {
      expect(actions, action).toContain(action);
    }
    const died = t.events.events.filter((e) => e.action === 'died').at(-1);
    expect(died?.exitCode).toBe(4);
    const kill = t.events.events.find((e) => e.action === 'kill');
    expect(kill?.attributes.signal).toBe('SIGWINCH');
    expect(kill?.attributes.app).toBe('demo');
    const containerEvents = t.events.events.filter((e) => e.type === 'container');
    expect(containerEvents.every((e) => e.name === 'life' && e.id === ctr.id)).toBe(true);
  });
});
