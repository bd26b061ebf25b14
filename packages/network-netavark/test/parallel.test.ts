import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isNetavarkStatus, type NetavarkContainerStatus } from '../src/index.js';
import { containerId, createEnv, firewallLines, interfaces, request, type TestEnv } from './helpers/env.js';

let env: TestEnv;
beforeAll(async () => {
  env = await createEnv();
});
afterAll(async () => {
  await env.cleanup();
});

it('gives 20 parallel setups 20 distinct addresses, and 20 parallel teardowns leave nothing', async () => {
  const before = await firewallLines(env.markers());
  const net = await env.backend.createNetwork({ name: `par-${env.prefix}` });
  const ids = Array.from({ length: 20 }, containerId);
  const results = await Promise.all(ids.map((id) => env.backend.setup(request(id, { network: net.name }))));

  const ips = results.map((r) => {
    const status = r.status as NetavarkContainerStatus;
    expect(isNetavarkStatus(status)).toBe(true);
    return status.options.networks[net.name]!.static_ips[0]!;
  });
  expect(new Set(ips).size).toBe(20);
  expect(new Set(results.map((r) => r.netnsPath)).size).toBe(20);
  const held = await env.store.networks.allocations(net.name);
  expect(held.map((a) => a.ip).sort()).toEqual([...ips].sort());
  expect((await interfaces(env.prefix)).length).toBe(21); // the bridge and 20 veths

  await Promise.all(
    ids.map((id, i) => env.backend.teardown({ ...request(id, { network: net.name }), netnsPath: results[i]!.netnsPath, status: results[i]!.status })),
  );
  expect(await env.store.networks.allocations(net.name)).toEqual([]);
  expect(await interfaces(env.prefix)).toEqual([]);
  expect(await readdir(env.backend.netnsDir)).toEqual([]);
  expect(await firewallLines(env.markers())).toEqual(before);
  await env.backend.removeNetwork(net.name);
});
