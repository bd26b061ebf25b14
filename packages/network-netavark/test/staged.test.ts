import { access, chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNetavarkStatus } from '../src/index.js';
import { containerId, createEnv, inNetns, request, type TestEnv } from './helpers/env.js';

const NETAVARK = '/usr/lib/podman/netavark';

// The two-step setup against real netavark: the engine creates the runtime container
// between the steps, so the first must leave a usable namespace and final /etc files.
describe('staged network setup on netavark', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('has the namespace and the /etc files after the first step, and the interface after finish', async () => {
    const id = containerId();
    const req = request(id, {});
    const stage = await env.backend.setupStaged(req);
    try {
      const before = await inNetns(stage.netnsPath, {}, 'ip -o link show');
      expect(before.exitCode).toBe(0);
      expect(before.stdout).toContain('lo:');
      expect(before.stdout).not.toContain('eth0');
      const hosts = await readFile(stage.etcFiles.hosts!, 'utf8');

      const result = await stage.finish();
      expect(result.netnsPath).toBe(stage.netnsPath);
      expect(result.etcFiles).toEqual(stage.etcFiles);
      if (!isNetavarkStatus(result.status)) throw new Error('not a netavark status');
      const ip = Object.values(result.status.options.networks)[0]!.static_ips[0]!;
      expect(hosts).toContain(`${ip}\t${req.hostname}`);
      const after = await inNetns(stage.netnsPath, {}, 'ip -o -4 addr show eth0');
      expect(after.stdout).toContain(`inet ${ip}/`);
      // Asking twice does not set up twice.
      await expect(stage.finish()).resolves.toBe(result);
      await env.backend.teardown({ ...req, netnsPath: result.netnsPath, status: result.status });
    } catch (err) {
      await env.backend.teardown({ ...req, netnsPath: stage.netnsPath, status: null });
      throw err;
    }
    await expect(access(stage.netnsPath)).rejects.toThrow();
  });

  it('undoes everything when netavark fails in the second step', async () => {
    // netavark itself, except that its setup fails as a real error would.
    const wrapper = path.join(env.dir, 'failing-netavark');
    await writeFile(wrapper, `#!/bin/sh\nfor a; do [ "$a" = setup ] && { echo 'injected setup failure' >&2; exit 1; }; done\nexec ${NETAVARK} "$@"\n`);
    await chmod(wrapper, 0o755);
    const failing = await createEnv({ netavarkPath: wrapper });
    try {
      const id = containerId();
      const stage = await failing.backend.setupStaged(request(id, {}));
      await access(stage.netnsPath);
      await access(stage.etcFiles.hosts!);
      expect(await failing.store.networks.allocations(failing.defaultNetwork)).toHaveLength(1);
      await expect(stage.finish()).rejects.toThrow(/injected setup failure/);
      await expect(access(stage.netnsPath)).rejects.toThrow();
      await expect(access(stage.etcFiles.hosts!)).rejects.toThrow();
      expect(await failing.store.networks.allocations(failing.defaultNetwork)).toEqual([]);
    } finally {
      await failing.cleanup();
    }
  });
});
