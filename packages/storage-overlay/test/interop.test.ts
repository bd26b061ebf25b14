import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeRoot, tempStore } from './helpers.js';

const BUSYBOX_ROOTFS = resolve(import.meta.dirname, '../../../tools/images/busybox-rootfs.sh');
const hasPodman = existsSync('/usr/bin/podman') && existsSync('/bin/busybox');

/** podman with a private root and runroot, runc (crun refuses these hybrid-cgroup hosts). */
function podman(dir: string, args: string[]) {
  return execa('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'overlay', '--runtime', 'runc', ...args]);
}

describe.skipIf(!hasPodman)('interop with podman 4.3', () => {
  let dir: string;
  let rootfsTar: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corral-podman-'));
    rootfsTar = join(dir, 'busybox.tar');
    await execa('bash', [BUSYBOX_ROOTFS, '--tar', rootfsTar]);
  }, 120_000);
  afterAll(async () => {
    await podman(dir, ['system', 'reset', '--force']).catch(() => undefined);
    await removeRoot(dir);
  });

  it('loads an image saved by podman (docker-archive) and its rootfs runs busybox', async () => {
    await podman(dir, ['import', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV FROM=podman', rootfsTar, 'localhost/from-podman:1']);
    const podmanId = (await podman(dir, ['image', 'inspect', '--format', '{{.Id}}', 'localhost/from-podman:1'])).stdout.trim();
    const archive = join(dir, 'from-podman.tar');
    await podman(dir, ['save', '-o', archive, 'localhost/from-podman:1']);
    const s = await tempStore();
    try {
      const [img] = await s.images.load(createReadStream(archive));
      expect(img!.id).toBe(podmanId);
      expect(img!.names).toEqual(['localhost/from-podman:1']);
      expect(img!.config.cmd).toEqual(['/bin/sh']);
      expect(img!.config.env).toContain('FROM=podman');
      expect((await s.images.resolve('from-podman:1')).id).toBe(podmanId);
      await s.rootfs.create('ctr1', img!.id);
      const merged = await s.rootfs.mount('ctr1');
      expect(existsSync(join(merged, 'bin/busybox'))).toBe(true);
      const { stdout } = await execa('chroot', [merged, '/bin/busybox', 'echo', 'hi']);
      expect(stdout).toBe('hi');
      await s.rootfs.unmount('ctr1');
      await s.rootfs.remove('ctr1');
    } finally {
      await s.cleanup();
    }
  });

  it('loads an oci-archive saved by podman', async () => {
    await podman(dir, ['import', rootfsTar, 'localhost/oci-from-podman:2']);
    const archive = join(dir, 'oci.tar');
    await podman(dir, ['save', '--format', 'oci-archive', '-o', archive, 'localhost/oci-from-podman:2']);
    const s = await tempStore();
    try {
      const [img] = await s.images.load(createReadStream(archive));
      expect(img!.layers).toHaveLength(1);
      await s.rootfs.create('ctr1', img!.id);
      const merged = await s.rootfs.mount('ctr1');
      expect((await execa('chroot', [merged, '/bin/busybox', 'echo', 'oci'])).stdout).toBe('oci');
      await s.rootfs.unmount('ctr1', true);
    } finally {
      await s.cleanup();
    }
  });

  it('an image saved by corral loads into podman and runs', async () => {
    const s = await tempStore();
    try {
      const img = await s.images.importRootfs(createReadStream(rootfsTar), {
        reference: 'corral-made:3',
        changes: ['ENTRYPOINT ["/bin/busybox"]', 'CMD ["echo", "from corral"]', 'ENV WHO=corral', 'WORKDIR /tmp'],
      });
      const archive = join(dir, 'from-corral.tar');
      const out = createWriteStream(archive);
      await s.images.save(['corral-made:3'], out);
      const loaded = await podman(dir, ['load', '-i', archive]);
      expect(loaded.stdout).toContain('localhost/corral-made:3');
      const podmanId = (await podman(dir, ['image', 'inspect', '--format', '{{.Id}}', 'localhost/corral-made:3'])).stdout.trim();
      expect(podmanId).toBe(img.id);
      const run = await podman(dir, ['run', '--rm', '--network', 'none', 'localhost/corral-made:3']);
      expect(run.stdout).toBe('from corral');
      const env = await podman(dir, ['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', 'localhost/corral-made:3', '-c', 'echo $WHO $(pwd)']);
      expect(env.stdout).toBe('corral /tmp');
      const hi = await podman(dir, ['run', '--rm', '--network', 'none', '--entrypoint', '', 'localhost/corral-made:3', '/bin/busybox', 'echo', 'hi']);
      expect(hi.stdout).toBe('hi');
    } finally {
      await s.cleanup();
    }
  });
});
