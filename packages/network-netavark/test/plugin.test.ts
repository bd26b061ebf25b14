import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Kernel, NetworkBackend, StateStore, definePlugin, silentLogger } from '@corral/core';
import { MemoryStateStore } from '@corral/testkit/fakes/memory-state-store';
import { createNetworkNetavarkPlugin, NetavarkNetworkBackend } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'corral-netavark-plugin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const memoryState = () =>
  definePlugin({ id: 'state-memory', provides: [StateStore], register: (ctx) => ctx.container.register(StateStore, { useValue: new MemoryStateStore() }) });

it('provides the NetworkBackend on the engine state store, with its run dir', async () => {
  const kernel = await Kernel.assemble({
    plugins: [createNetworkNetavarkPlugin(), memoryState()],
    config: { 'network-netavark': { defaultSubnet: '10.251.0.0/24', defaultInterface: 'cvplug0' } },
    root: path.join(dir, 'lib'),
    runRoot: path.join(dir, 'run'),
    logger: silentLogger,
  });
  const backend = kernel.get(NetworkBackend);
  expect(backend).toBeInstanceOf(NetavarkNetworkBackend);
  expect((backend as NetavarkNetworkBackend).netnsDir).toBe(path.join(dir, 'run', 'network-netavark', 'netns'));
  expect((await backend.inspectNetwork('corral')).subnets[0]!.subnet).toBe('10.251.0.0/24');
  expect((await kernel.get(StateStore).networks.list()).map((n) => n.name)).toEqual(['corral']);
  await kernel.stop();
});

it('skips itself with a reason when netavark is missing', async () => {
  const kernel = await Kernel.assemble({
    plugins: [createNetworkNetavarkPlugin(), memoryState()],
    config: { 'network-netavark': { netavarkPath: path.join(dir, 'no-netavark') } },
    root: path.join(dir, 'lib'),
    runRoot: path.join(dir, 'run'),
    logger: silentLogger,
  });
  expect(kernel.has(NetworkBackend)).toBe(false);
  expect(kernel.skipped).toEqual([{ id: 'network-netavark', reason: expect.stringContaining('netavark not found') }]);
  await kernel.stop();
});
