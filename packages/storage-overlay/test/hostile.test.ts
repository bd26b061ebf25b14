import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { getAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorralError, ErrorCode } from '@corral/core';
import { recordingLogger, tempStore } from './helpers.js';
import { buildTar, dockerArchive, type TarEntry } from './tar-builder.js';

type Store = Awaited<ReturnType<typeof tempStore>>;

describe('hostile archives', () => {
  let s: Store;
  let outside: string;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(async () => {
    logger = recordingLogger();
    s = await tempStore(logger);
    outside = await mkdtemp(join(tmpdir(), 'corral-outside-'));
    await writeFile(join(outside, 'victim'), 'original\n');
  });
  afterEach(async () => {
    await s.cleanup();
    await rm(outside, { recursive: true, force: true });
  });

  const importEntries = async (entries: TarEntry[]) => s.images.importRootfs(Readable.from([await buildTar(entries)]), { reference: 'hostile' });

  /** Refused with ARCHIVE_INVALID naming the entry, and nothing left behind. */
  const expectRefused = async (entries: TarEntry[], entryName: string) => {
    let caught: unknown;
    try {
      await importEntries(entries);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CorralError);
    expect((caught as CorralError).code).toBe(ErrorCode.ArchiveInvalid);
    expect((caught as CorralError).message).toContain(`"${entryName}"`);
    await expectNothingImported();
  };

  const expectNothingImported = async () => {
    expect(await s.images.list()).toEqual([]);
    expect(await readdir(s.storage.layersDir)).toEqual(['l']);
    expect(await readdir(s.storage.tmpDir)).toEqual([]);
    expect(await readdir(s.storage.blobsDir)).toEqual([]);
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('original\n');
    expect(await readdir(outside)).toEqual(['victim']);
  };

  const layerDir = (img: { layers: string[] }) => s.storage.layerDiffDir(img.layers[0]!);

  it('refuses a name with ".."', async () => {
    await expectRefused([{ name: 'ok', content: 'x' }, { name: `../../../../../../..${outside}/victim`, content: 'pwned' }], `../../../../../../..${outside}/victim`);
    await expectRefused([{ name: 'a/../../escape', content: 'pwned' }], 'a/../../escape');
  });

  it('confines an absolute name to the layer', async () => {
    const img = await importEntries([{ name: `${outside}/victim`, content: 'inside\n' }]);
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('original\n');
    expect(await readFile(join(layerDir(img), outside, 'victim'), 'utf8')).toBe('inside\n');
  });

  it('refuses to write through a symlink to outside (absolute and relative targets)', async () => {
    await expectRefused([{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/victim', content: 'pwned' }], 'link/victim');
    await expectRefused(
      [{ name: 'a/b', type: 'symlink', linkname: '../../../../../../../../..' + outside }, { name: 'a/b/victim', content: 'pwned' }],
      'a/b/victim',
    );
  });

  it('replaces a symlink with a file of the same name instead of writing through it', async () => {
    const img = await importEntries([
      { name: 'victim', type: 'symlink', linkname: join(outside, 'victim') },
      { name: 'victim', content: 'replaced\n' },
    ]);
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('original\n');
    expect(lstatSync(join(layerDir(img), 'victim')).isFile()).toBe(true);
  });

  it('keeps symlinks pointing outside as links, never followed', async () => {
    const img = await importEntries([{ name: 'etc/escape', type: 'symlink', linkname: '../../../../../../' + outside }]);
    expect(lstatSync(join(layerDir(img), 'etc/escape')).isSymbolicLink()).toBe(true);
  });

  it('refuses hardlinks to outside the tree, to absent targets and through symlinks', async () => {
    await expectRefused([{ name: 'h', type: 'link', linkname: `../../../../../../..${outside}/victim` }], 'h');
    await expectRefused([{ name: 'h', type: 'link', linkname: `${outside}/victim` }], 'h');
    await expectRefused([{ name: 's', type: 'symlink', linkname: outside }, { name: 'h', type: 'link', linkname: 's/victim' }], 'h');
  });

  it('makes a hardlink inside the tree', async () => {
    const img = await importEntries([{ name: 'a', content: 'same\n' }, { name: 'b', type: 'link', linkname: 'a' }]);
    const a = lstatSync(join(layerDir(img), 'a'));
    expect(lstatSync(join(layerDir(img), 'b')).ino).toBe(a.ino);
  });

  it('skips device nodes with a warning', async () => {
    const img = await importEntries([
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'ok', content: 'fine' },
    ]);
    expect(existsSync(join(layerDir(img), 'dev/null'))).toBe(false);
    expect(existsSync(join(layerDir(img), 'dev/sda'))).toBe(false);
    expect(existsSync(join(layerDir(img), 'ok'))).toBe(true);
    expect(logger.warnings.join('\n')).toContain('dev/null');
  });

  it('never sets overlay xattrs from an archive', async () => {
    const img = await importEntries([
      { name: 'd', type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.note': 'kept' } },
    ]);
    expect(getAttributeSync(join(layerDir(img), 'd'), 'trusted.overlay.opaque')).toBeNull();
    expect(getAttributeSync(join(layerDir(img), 'd'), 'user.note')?.toString()).toBe('kept');
  });

  it('refuses a malformed header, naming the last good entry', async () => {
    const tar = await buildTar([{ name: 'good', content: 'x' }, { name: 'bad', content: 'y' }]);
    tar[1024 + 148] ^= 0x11; // the second header's checksum
    await expect(s.images.importRootfs(Readable.from([tar]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid, message: expect.stringContaining('"good"') });
    await expectNothingImported();
  });

  it('refuses a truncated archive and leaves nothing half-imported', async () => {
    const tar = await buildTar([{ name: 'big', content: Buffer.alloc(200_000, 7) }]);
    await expect(s.images.importRootfs(Readable.from([tar.subarray(0, 100_000)]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    await expectNothingImported();
  });

  it('refuses a name longer than the kernel allows', async () => {
    await expectRefused([{ name: `${'d'.repeat(200)}/${'n'.repeat(300)}`, content: 'x' }], `${'d'.repeat(200)}/${'n'.repeat(300)}`);
  });

  it('refuses an oversized pax header (over 4 MiB)', async () => {
    const tar = await buildTar([{ name: 'x', content: 'y', pax: { comment: 'z'.repeat(5 * 1024 * 1024) } }]);
    await expect(s.images.importRootfs(Readable.from([tar]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    await expectNothingImported();
  });

  it('refuses an absurd size field', async () => {
    const tar = await buildTar([{ name: 'x', content: 'y' }]);
    tar.write('77777777777\0', 124, 'latin1'); // 8 GiB of content that is not there
    const sum = [...tar.subarray(0, 512)].reduce((a, b, i) => a + (i >= 148 && i < 156 ? 32 : b), 0);
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    await expect(s.images.importRootfs(Readable.from([tar]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    await expectNothingImported();
  });

  it('refuses a layer whose content does not match the diff id in its config', async () => {
    const good = await buildTar([{ name: 'a', content: 'a' }]);
    const evil = await buildTar([{ name: 'a', content: 'b' }]);
    const archive = await dockerArchive([{ layers: [good], blobs: [evil], tags: ['liar'] }]);
    await expect(s.images.load(Readable.from([archive]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid, message: expect.stringContaining('diff id') });
    await expectNothingImported();
  });

  it('refuses a config whose digest does not match its name', async () => {
    const layer = await buildTar([{ name: 'a', content: 'a' }]);
    const archive = await dockerArchive([{ layers: [layer] }], (entries) =>
      entries.map((e) => (e.name.endsWith('.json') && e.name !== 'manifest.json' ? { ...e, content: Buffer.from(String(e.content).replace('/bin/sh', '/bin/xx')) } : e)),
    );
    await expect(s.images.load(Readable.from([archive]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    await expectNothingImported();
  });

  it('refuses a docker-archive whose layer is a hostile tar, leaving nothing behind', async () => {
    const layer = await buildTar([{ name: 'l', type: 'symlink', linkname: outside }, { name: 'l/victim', content: 'pwned' }]);
    const archive = await dockerArchive([{ layers: [layer], tags: ['evil'] }]);
    await expect(s.images.load(Readable.from([archive]))).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid, message: expect.stringContaining('"l/victim"') });
    await expectNothingImported();
  });

  it('applyDiff refuses hostile tars and deleted paths with ".."', async () => {
    const img = await importEntries([{ name: 'etc/x', content: 'x' }]);
    await s.rootfs.create('c1', img.id);
    const merged = await s.rootfs.mount('c1');
    const { symlink } = await import('node:fs/promises');
    await symlink(outside, join(merged, 'escape'));
    await s.rootfs.unmount('c1');
    const hostile = await buildTar([{ name: 'escape/victim', content: 'pwned' }]);
    await expect(s.rootfs.applyDiff('c1', Readable.from([hostile]), [])).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    await expect(s.rootfs.applyDiff('c1', Readable.from([await buildTar([])]), ['../x'])).rejects.toMatchObject({ code: ErrorCode.ArchiveInvalid });
    const whiteoutThroughLink = await buildTar([{ name: 'escape/.wh.victim', content: '' }]);
    await s.rootfs.applyDiff('c1', Readable.from([whiteoutThroughLink]), ['escape/victim']);
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('original\n');
    expect(s.rootfs.mountCount('c1')).toBe(0);
    await s.rootfs.remove('c1');
  });
});

describe('whiteouts', () => {
  let s: Store;
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('turns .wh. files and opaque markers into overlay whiteouts that hide lower layers', async () => {
    const base = await buildTar([
      { name: 'a/', type: 'directory' },
      { name: 'a/x', content: 'x' },
      { name: 'a/y', content: 'y' },
      { name: 'f', content: 'f' },
      { name: 'keep', content: 'k' },
    ]);
    const top = await buildTar([
      { name: '.wh.f', content: '' },
      { name: 'a/', type: 'directory' },
      { name: 'a/.wh..wh..opq', content: '' },
      { name: 'a/z', content: 'z' },
    ]);
    const [img] = await s.images.load(Readable.from([await dockerArchive([{ layers: [base, top], tags: ['wh'] }])]));
    const topDir = s.storage.layerDiffDir(img!.layers[1]!);
    const wh = lstatSync(join(topDir, 'f'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    expect(getAttributeSync(join(topDir, 'a'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    await s.rootfs.create('c', img!.id);
    const merged = await s.rootfs.mount('c');
    try {
      expect(existsSync(join(merged, 'f'))).toBe(false);
      expect((await readdir(join(merged, 'a'))).sort()).toEqual(['z']);
      expect(await readFile(join(merged, 'keep'), 'utf8')).toBe('k');
    } finally {
      await s.rootfs.unmount('c', true);
    }
  });
});
