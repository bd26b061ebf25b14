import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode } from '@corral/core';
import { lastHostAddress } from '../src/bridge-keeper.js';
import { ServiceBox } from './harness.js';

describe('lastHostAddress', () => {
  it('is the broadcast address less one', () => {
    expect(lastHostAddress('10.90.0.0/24')).toBe('10.90.0.254');
    expect(lastHostAddress('10.89.2.0/23')).toBe('10.89.3.254');
    expect(lastHostAddress('192.168.7.9/30')).toBe('192.168.7.10');
  });

  it('refuses what is not an IPv4 subnet with host room', () => {
    for (const bad of ['10.90.0.0', '10.90.0.0/31', '10.90.0/24', '300.1.1.1/24', 'fd00::/64']) {
      expect(() => lastHostAddress(bad), bad).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg, message: expect.stringMatching(/not an IPv4 subnet/) }));
    }
  });
});

describe('the default bridge held while the service runs', () => {
  let box: ServiceBox;
  const netnsDir = () => join(box.dir, 'run', 'network-netavark', 'netns');
  const netns = () => readdir(netnsDir()).catch(() => [] as string[]);

  beforeAll(async () => {
    box = await ServiceBox.create();
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('holds one endpoint on the last address, keeps the first for containers, and lets it go at close', async () => {
    const deadline = Date.now() + 20_000;
    while ((await netns()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await netns()).toHaveLength(1);
    const held = await box.engine.store.networks.allocations('corral');
    expect(held.map((a) => a.ip)).toEqual(['10.90.0.254']);

    const r = await box.docker(['run', '--rm', 'busybox', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('inet 10.90.0.2/24');
    // The container's own endpoint went with it; the keeper's stayed.
    expect(await netns()).toHaveLength(1);

    await box.service.close();
    expect(await netns()).toEqual([]);
    expect(await box.engine.store.networks.allocations('corral')).toEqual([]);
  });
});
