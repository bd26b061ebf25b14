import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginSkipError } from '@corral/core';
import { cachedProbe } from '../src/probe-cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-criu-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the CRIU probe cache', () => {
  it('reuses a verdict for the same binary, and probes again when the binary changes', async () => {
    const criu = join(dir, 'criu');
    await writeFile(criu, '#!/bin/sh\n');
    await chmod(criu, 0o755);
    let probes = 0;
    const probe = async () => {
      probes++;
      return { path: criu, version: '4.2.1' };
    };
    expect(await cachedProbe(dir, criu, probe)).toEqual({ path: criu, version: '4.2.1' });
    expect(await cachedProbe(dir, criu, probe)).toEqual({ path: criu, version: '4.2.1' });
    expect(probes).toBe(1);
    await writeFile(criu, '#!/bin/sh\n# a new build\n');
    await cachedProbe(dir, criu, probe);
    expect(probes).toBe(2);
  });

  it('remembers a skip with its reason; a missing binary is probed every time', async () => {
    const criu = join(dir, 'criu');
    await writeFile(criu, 'x');
    let probes = 0;
    const failing = async () => {
      probes++;
      throw new PluginSkipError('criu fails on this kernel: vdso');
    };
    await expect(cachedProbe(dir, criu, failing)).rejects.toThrow(/vdso/);
    await expect(cachedProbe(dir, criu, failing)).rejects.toThrow(/vdso/);
    expect(probes).toBe(1);
    const missing = join(dir, 'absent');
    await expect(cachedProbe(dir, missing, failing)).rejects.toThrow(/vdso/);
    await expect(cachedProbe(dir, missing, failing)).rejects.toThrow(/vdso/);
    expect(probes).toBe(3);
  });
});
