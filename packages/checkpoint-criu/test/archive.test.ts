import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorralError, ErrorCode, InvalidArgumentError } from '@corral/core';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CriuCheckpointBackend, DEFAULT_CRIU_PATH, type ArchiveLimits } from '../src/index.js';
import { sampleConfig } from './helpers/config.js';
import { baseEntries, configWith, craftArchive, file, type CraftedEntry } from './helpers/craft.js';
import { killRestored, readCount, startCounter, waitCountAbove, waitSessionGone } from './helpers/counter.js';
import { silentLogger, tempDirs } from './helpers/dirs.js';

const CRIU = process.env.CORRAL_CRIU ?? DEFAULT_CRIU_PATH;
const tmp = tempDirs();

function backend(options: { compression?: 'gzip' | 'none'; limits?: Partial<ArchiveLimits> } = {}): CriuCheckpointBackend {
  return new CriuCheckpointBackend({ criuPath: CRIU, logger: silentLogger, ...options });
}

async function fakeImages(dir: string): Promise<string> {
  const images = join(dir, 'images');
  await mkdir(join(images, 'sub'), { recursive: true });
  await writeFile(join(images, 'inventory.img'), Buffer.alloc(100, 3));
  await writeFile(join(images, 'pages-1.img'), Buffer.alloc(300_000, 9));
  await writeFile(join(images, 'empty.img'), '');
  await writeFile(join(images, 'sub', 'nested.img'), 'nested');
  return images;
}

describe('export and import', () => {
  for (const compression of ['gzip', 'none'] as const) {
    it(`round-trips every part of a checkpoint (${compression})`, async () => {
      const dir = await tmp();
      const images = await fakeImages(dir);
      await writeFile(join(dir, 'spec.json'), JSON.stringify({ ociVersion: '1.0.2', process: { args: ['sh'] } }));
      await writeFile(join(dir, 'diff.tar'), Buffer.alloc(10_240, 0));
      await writeFile(join(dir, 'ctr.log'), '2025-01-01T00:00:00Z stdout F hello\n');
      const config = sampleConfig();
      const archive = join(dir, 'out.tar.gz');
      const b = backend({ compression });
      await b.exportArchive(
        {
          imageDir: images,
          config,
          specPath: join(dir, 'spec.json'),
          networkStatus: { podman: { interfaces: { eth0: { subnets: [{ ipnet: '10.88.0.5/16' }] } } } },
          rootfsDiffPath: join(dir, 'diff.tar'),
          deletedFiles: ['etc/motd', 'var/cache/x'],
          logPath: join(dir, 'ctr.log'),
        },
        archive,
      );
      const head = (await readFile(archive)).subarray(0, 2);
      expect(head.equals(Buffer.from([0x1f, 0x8b]))).toBe(compression === 'gzip');
      expect((await stat(archive)).mode & 0o777).toBe(0o600);
      // No temporary file is left next to the archive.
      expect((await readdir(dir)).filter((n) => n.includes('.tmp'))).toEqual([]);

      const dest = join(dir, 'imported');
      const got = await b.importArchive(archive, dest);
      expect(got.config).toEqual(config);
      expect(got.networkStatus).toEqual({ podman: { interfaces: { eth0: { subnets: [{ ipnet: '10.88.0.5/16' }] } } } });
      expect(got.deletedFiles).toEqual(['etc/motd', 'var/cache/x']);
      expect(got.imageDir).toBe(join(dest, 'checkpoint'));
      expect(await readFile(join(got.imageDir, 'pages-1.img'))).toEqual(Buffer.alloc(300_000, 9));
      expect(await readFile(join(got.imageDir, 'empty.img'), 'utf8')).toBe('');
      expect(await readFile(join(got.imageDir, 'sub', 'nested.img'), 'utf8')).toBe('nested');
      expect(await readFile(got.specPath!, 'utf8')).toBe(await readFile(join(dir, 'spec.json'), 'utf8'));
      expect(await readFile(got.rootfsDiffPath!)).toEqual(Buffer.alloc(10_240, 0));
      expect(await readFile(got.logPath!, 'utf8')).toContain('hello');
      expect((await readdir(dest)).sort()).toEqual(['checkpoint', 'config.dump', 'ctr.log', 'deleted.files', 'network.status', 'rootfs-diff.tar', 'spec.dump']);
    });
  }

  it('leaves out what IgnoreRootfs and a missing log leave out', async () => {
    const dir = await tmp();
    const archive = join(dir, 'a.tar.gz');
    const b = backend();
    await b.exportArchive({ imageDir: await fakeImages(dir), config: sampleConfig(), networkStatus: null, logPath: join(dir, 'no-such.log') }, archive);
    const got = await b.importArchive(archive, join(dir, 'in'));
    expect(got.rootfsDiffPath).toBeUndefined();
    expect(got.deletedFiles).toBeUndefined();
    expect(got.logPath).toBeUndefined();
    expect(got.specPath).toBeUndefined();
    expect(got.networkStatus).toBeNull();
  });

  it('refuses to export what it would refuse to import', async () => {
    const dir = await tmp();
    const images = await fakeImages(dir);
    const b = backend();
    const bad = { ...sampleConfig(), id: 'not-an-id' };
    await expect(b.exportArchive({ imageDir: images, config: bad, networkStatus: null }, join(dir, 'x'))).rejects.toThrow(InvalidArgumentError);
    await expect(
      b.exportArchive({ imageDir: images, config: sampleConfig(), networkStatus: null, deletedFiles: ['../../etc/passwd'] }, join(dir, 'x')),
    ).rejects.toThrow(/deleted files/);
    await expect(b.exportArchive({ imageDir: join(dir, 'nowhere'), config: sampleConfig(), networkStatus: null }, join(dir, 'x'))).rejects.toThrow();
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('carries real CRIU images: a process dumped, exported, imported elsewhere and restored counts on', async () => {
    const dir = await tmp();
    const images = join(dir, 'images');
    await mkdir(images);
    const counter = startCounter(dir);
    let restored = 0;
    try {
      await waitCountAbove(counter.countFile, 3);
      const d = await execa(CRIU, ['dump', '-t', String(counter.pid), '-D', images, '-o', 'dump.log'], { all: true, reject: false });
      expect(d.exitCode, d.all).toBe(0);
      await counter.exited;
      const atDump = await readCount(counter.countFile);
      const archive = join(dir, 'checkpoint.tar.gz');
      const b = backend();
      await b.exportArchive({ imageDir: images, config: sampleConfig(), networkStatus: null }, archive);
      const got = await b.importArchive(archive, join(dir, 'elsewhere'));
      await waitSessionGone(counter.pid);
      const pidFile = join(dir, 'pid');
      const r = await execa(CRIU, ['restore', '-D', got.imageDir, '-o', 'restore.log', '--restore-detached', '--pidfile', pidFile], { all: true, reject: false });
      expect(r.exitCode, r.all).toBe(0);
      restored = Number((await readFile(pidFile, 'utf8')).trim());
      expect(await waitCountAbove(counter.countFile, atDump + 2)).toBeGreaterThan(atDump);
    } finally {
      if (restored) await killRestored(restored, counter.countFile);
      else await killRestored(counter.pid, counter.countFile);
    }
  });
});

describe('a hostile archive', () => {
  /** Imports `entries` and expects ARCHIVE_INVALID matching `message`, with nothing left behind. */
  async function expectRefused(
    entries: CraftedEntry[],
    message: RegExp,
    options: { limits?: Partial<ArchiveLimits>; gzip?: boolean; destinationExists?: boolean } = {},
  ): Promise<CorralError> {
    const dir = await tmp();
    const archive = join(dir, 'evil.tar.gz');
    await craftArchive(archive, entries, options.gzip ?? true);
    const box = join(dir, 'box');
    await mkdir(box);
    const dest = join(box, 'dest');
    if (options.destinationExists) await mkdir(dest);
    const err = await backend({ limits: options.limits }).importArchive(archive, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorralError);
    expect((err as CorralError).code).toBe(ErrorCode.ArchiveInvalid);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(archive);
    // Nothing in the destination, nothing next to it, nothing above it.
    expect(await readdir(box)).toEqual(options.destinationExists ? ['dest'] : []);
    if (options.destinationExists) expect(await readdir(dest)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['box', 'evil.tar.gz']);
    return err as CorralError;
  }

  it('is accepted in its benign form (the base the tampered ones start from)', async () => {
    const dir = await tmp();
    await craftArchive(join(dir, 'ok.tar.gz'), baseEntries());
    const got = await backend().importArchive(join(dir, 'ok.tar.gz'), join(dir, 'dest'));
    expect(got.config.name).toBe('counter');
  });

  it('accepts GNU tar\'s "./" prefixes', async () => {
    const dir = await tmp();
    const entries = baseEntries().map((e) => ({ ...e, header: { ...e.header, name: `./${e.header.name}` } }));
    await craftArchive(join(dir, 'ok.tar'), [{ header: { name: './', type: 'directory' } }, ...entries], false);
    const got = await backend().importArchive(join(dir, 'ok.tar'), join(dir, 'dest'));
    expect(existsSync(join(got.imageDir, 'inventory.img'))).toBe(true);
  });

  it('refuses a "../" entry', async () => {
    await expectRefused([...baseEntries(), file('checkpoint/../../evil', 'x')], /"\.\." component/);
    await expectRefused([...baseEntries(), file('../evil', 'x')], /"\.\." component/, { destinationExists: true });
  });

  it('refuses an absolute entry', async () => {
    await expectRefused([...baseEntries(), file('/tmp/corral-evil', 'x')], /absolute/);
    expect(existsSync('/tmp/corral-evil')).toBe(false);
  });

  it('refuses a symlink pointing out, and the file written through it', async () => {
    await expectRefused(
      [...baseEntries(), { header: { name: 'checkpoint/escape', type: 'symlink', linkname: '/etc' } }, file('checkpoint/escape/corral-evil', 'x')],
      /checkpoint\/escape" -> \/etc is a symlink/,
    );
    expect(existsSync('/etc/corral-evil')).toBe(false);
  });

  it('refuses a hard link to a file outside', async () => {
    await expectRefused([...baseEntries(), { header: { name: 'checkpoint/passwd', type: 'link', linkname: '../../../../etc/passwd' } }], /is a link/);
  });

  it('refuses device nodes and FIFOs', async () => {
    await expectRefused([...baseEntries(), { header: { name: 'checkpoint/mem', type: 'character-device', devmajor: 1, devminor: 1 } }], /character-device/);
    await expectRefused([...baseEntries(), { header: { name: 'checkpoint/sda', type: 'block-device', devmajor: 8, devminor: 0 } }], /block-device/);
    await expectRefused([...baseEntries(), { header: { name: 'checkpoint/fifo', type: 'fifo' } }], /fifo/);
  });

  it('refuses an entry over the size limit, and a total over its limit', async () => {
    await expectRefused(baseEntries(), /"checkpoint\/pages-1\.img" is 8192 bytes, over the limit of 4096/, { limits: { maxEntryBytes: 4096 } });
    await expectRefused([...baseEntries(), file('checkpoint/more.img', Buffer.alloc(6000))], /exceed 10000 bytes in total/, { limits: { maxTotalBytes: 10_000 } });
    await expectRefused(baseEntries(), /more than 3 entries/, { limits: { maxEntries: 3 } });
  });

  it('refuses metadata too large to read into memory', async () => {
    const entries = baseEntries();
    entries.push(file('spec.dump', JSON.stringify({ pad: 'x'.repeat(5000) })));
    await expectRefused(entries, /"spec\.dump" is \d+ bytes, over the limit of 4096/, { limits: { maxMetadataBytes: 4096 } });
  });

  it('refuses an unexpected top-level name, or a layout file in the wrong place', async () => {
    await expectRefused([...baseEntries(), file('evil.sh', '#!/bin/sh\n')], /unexpected top-level name "evil\.sh"/);
    await expectRefused([...baseEntries(), { header: { name: 'rootfs-diff.tar', type: 'directory' } }], /must be a regular file/);
    await expectRefused([file('checkpoint', 'x'), ...baseEntries().slice(0, 2)], /must be a directory/);
  });

  it('refuses duplicate entries', async () => {
    await expectRefused([...baseEntries(), file('config.dump', JSON.stringify(sampleConfig({ name: 'other' })))], /"config\.dump" appears twice/);
  });

  it('refuses a malformed config.dump before writing anything', async () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /config\.dump is not a valid container config/],
      [configWith((c) => (c.id = '../../etc')), /field config\.id: .* is not a 64-hex container id/],
      [configWith((c) => (c.name = '../evil')), /field config\.name: invalid container name/],
      [configWith((c) => (c.name = 'f'.repeat(64))), /must not look like a container id/],
      [configWith((c) => (c.env = 'PATH=/bin')), /field config\.env: not a list/],
      [configWith((c) => (c.command = ['sh', 5])), /field config\.command\[1\]: not a string/],
      [configWith((c) => delete c.imageId), /field config\.imageId: missing/],
      [configWith((c) => (c.extra = true)), /unknown field "extra"/],
      [configWith((c) => ((c.network as Record<string, unknown>).mode = 'evil')), /field config\.network\.mode: not one of/],
      [configWith((c) => (c.mounts = [{ source: '/', destination: '/../../x', readOnly: false, options: [] }])), /config\.mounts\[0\]\.destination/],
      [configWith((c) => (c.workingDir = 'relative')), /config\.workingDir/],
      [configWith((c) => (c.labels = { a: 1 })), /config\.labels\.a: not a string/],
      [configWith((c) => (c.hostname = 'a\0b')), /NUL/],
      [[sampleConfig()], /field config: not an object/],
    ];
    for (const [config, message] of cases) {
      const entries = baseEntries();
      entries[0] = file('config.dump', typeof config === 'string' ? config : JSON.stringify(config));
      // The config comes last here: the first read must still refuse it before any write.
      entries.push(entries.shift()!);
      await expectRefused(entries, message);
    }
  });

  it('refuses an archive without a config or without CRIU images', async () => {
    await expectRefused(baseEntries().slice(1), /config\.dump is missing/);
    await expectRefused(baseEntries().filter((e) => !e.header.name.includes('inventory')), /inventory\.img is missing/);
  });

  it('refuses a deleted.files list that reaches out of the root filesystem', async () => {
    for (const [list, message] of [
      [['etc/motd', '../../etc/passwd'], /entry 1 "\.\.\/\.\.\/etc\/passwd": a "\.\." component/],
      [['/etc/passwd'], /absolute paths/],
      [['a/./b'], /"\." components/],
      [[''], /empty path/],
      [[42], /not a string/],
      [{ evil: true }, /not a JSON list/],
    ] as const) {
      await expectRefused([...baseEntries(), file('deleted.files', JSON.stringify(list)), file('rootfs-diff.tar', Buffer.alloc(1024))], message);
    }
  });

  it('refuses a network.status or spec.dump that is not JSON', async () => {
    await expectRefused([...baseEntries().filter((e) => e.header.name !== 'network.status'), file('network.status', '{')], /network\.status is not valid JSON/);
    await expectRefused([...baseEntries(), file('spec.dump', '[1]')], /spec\.dump is not an OCI spec object/);
  });

  it('refuses garbage, truncated archives and unsupported compression', async () => {
    const dir = await tmp();
    const b = backend();
    const refuse = async (path: string, message: RegExp) => {
      const err = await b.importArchive(path, join(dir, 'dest')).catch((e: unknown) => e);
      expect((err as CorralError).code).toBe(ErrorCode.ArchiveInvalid);
      expect((err as Error).message).toMatch(message);
      expect(existsSync(join(dir, 'dest'))).toBe(false);
    };
    await writeFile(join(dir, 'garbage'), Buffer.alloc(4096, 0x41));
    await refuse(join(dir, 'garbage'), /not a valid tar archive/);
    await writeFile(join(dir, 'zstd'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    await refuse(join(dir, 'zstd'), /zstd/);
    await craftArchive(join(dir, 'whole.tar'), baseEntries(), false);
    const whole = await readFile(join(dir, 'whole.tar'));
    await writeFile(join(dir, 'cut.tar'), whole.subarray(0, 2048 + 700));
    await refuse(join(dir, 'cut.tar'), /not a valid tar archive/);
    await writeFile(join(dir, 'bad.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 0x55)]));
    await refuse(join(dir, 'bad.gz'), /not a valid gzip-compressed tar archive/);
    // Neither a FIFO (which would block a plain open) nor a device is an archive.
    await execa('mkfifo', [join(dir, 'fifo')]);
    await refuse(join(dir, 'fifo'), /not a regular file/);
    await refuse('/dev/zero', /not a regular file/);
  });

  it('refuses a destination that is not empty, and leaves it alone', async () => {
    const dir = await tmp();
    await craftArchive(join(dir, 'ok.tar.gz'), baseEntries());
    await mkdir(join(dir, 'dest'));
    await writeFile(join(dir, 'dest', 'precious'), 'keep');
    await expect(backend().importArchive(join(dir, 'ok.tar.gz'), join(dir, 'dest'))).rejects.toThrow(/is not empty/);
    expect(await readdir(join(dir, 'dest'))).toEqual(['precious']);
  });

  it('leaves nothing behind when writing fails halfway (a full disk)', async () => {
    const dir = await tmp();
    const archive = join(dir, 'big.tar.gz');
    await craftArchive(archive, [...baseEntries(), file('checkpoint/pages-2.img', Buffer.alloc(3 * 1024 * 1024, 5))]);
    const small = join(dir, 'small');
    await mkdir(small);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'corral-criu-test', small]);
    try {
      const err = await backend().importArchive(archive, join(small, 'dest')).catch((e: unknown) => e);
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      expect(await readdir(small)).toEqual([]);
      await mkdir(join(small, 'dest'));
      await expect(backend().importArchive(archive, join(small, 'dest'))).rejects.toThrow(/ENOSPC|no space/i);
      expect(await readdir(join(small, 'dest'))).toEqual([]);
    } finally {
      await execa('umount', [small]);
    }
  });

});
