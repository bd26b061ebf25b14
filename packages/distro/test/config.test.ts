import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@corral/core';
import { DEFAULTS, loadConfig, pluginIds } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-distro-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the distribution config', () => {
  it('defaults to the embedded plugins with file events', () => {
    const config = loadConfig({}, { CORRAL_CONFIG: join(dir, 'absent.toml') });
    expect(config.root).toBe(DEFAULTS.root);
    expect(pluginIds(config)).toEqual([
      'state-sqlite',
      'lock-file',
      'runtime-conmon',
      'storage-overlay',
      'network-netavark',
      'checkpoint-criu',
      'events-file',
    ]);
  });

  it('reads CORRAL_CONFIG, and flags win over the file', async () => {
    const file = join(dir, 'corral.toml');
    await writeFile(
      file,
      ['root = "/srv/corral"', 'runtime = "runsc"', 'events = "sqlite"', '[plugin.runtime-conmon]', 'logSizeMax = 1024'].join('\n'),
    );
    const config = loadConfig({ runRoot: '/tmp/rr' }, { CORRAL_CONFIG: file });
    expect(config).toMatchObject({ root: '/srv/corral', runRoot: '/tmp/rr', runtime: 'runsc', events: 'sqlite' });
    expect(config.plugin['runtime-conmon']).toEqual({ logSizeMax: 1024 });
    expect(pluginIds(config)).toContain('events-sqlite');
    expect(loadConfig({ runtime: 'runc' }, { CORRAL_CONFIG: file }).runtime).toBe('runc');
  });

  it('a malformed file is an error that names it', async () => {
    const file = join(dir, 'bad.toml');
    await writeFile(file, 'root = [unclosed');
    expect(() => loadConfig({}, { CORRAL_CONFIG: file })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg }));
    expect(() => loadConfig({}, { CORRAL_CONFIG: file })).toThrow(new RegExp(file));
    await writeFile(file, 'rootz = "/x"');
    expect(() => loadConfig({}, { CORRAL_CONFIG: file })).toThrow(/unknown key "rootz"/);
    await writeFile(file, 'events = "syslog"');
    expect(() => loadConfig({}, { CORRAL_CONFIG: file })).toThrow(/events must be/);
  });
});
