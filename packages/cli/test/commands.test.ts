import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from './harness.js';

/** One end-to-end test per command family not covered by run/terminal/network tests. */
let box: Sandbox;
beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  await box?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('container commands', () => {
  it('kill -s, pause/unpause, restart, wait --condition, and their events', async () => {
    const since = new Date().toISOString();
    const id = (await box.run(['run', '-d', '--name', 'sig', 'busybox', 'sh', '-c', "trap 'echo got-hup' HUP; while :; do sleep 0.1; done"])).stdout.trim();
    expect((await box.run(['kill', '-s', 'HUP', 'sig'])).stdout).toBe('sig\n');
    await sleep(400);
    expect((await box.run(['logs', 'sig'])).stdout).toContain('got-hup');
    expect((await box.run(['kill', '-s', 'BOGUS', 'sig'])).code).toBe(125);
    expect((await box.run(['pause', 'sig'])).code).toBe(0);
    expect((await box.run(['ps', '--format', '{{.Status}}', '-a', '--filter', 'name=^sig$'])).stdout).toBe('Paused\n');
    expect((await box.run(['pause', 'sig'])).code).toBe(125);
    expect((await box.run(['unpause', 'sig'])).code).toBe(0);
    expect((await box.run(['wait', '--condition', 'running', 'sig'])).code).toBe(0);
    expect((await box.run(['restart', '-t', '0', 'sig'])).stdout).toBe('sig\n');
    expect((await box.run(['inspect', '--format', '{{.State.Status}}', 'sig'])).stdout).toBe('running\n');
    const waiting = box.run(['wait', 'sig']);
    await sleep(200);
    await box.run(['kill', 'sig']);
    expect((await waiting).stdout).toBe('137\n');
    const events = await box.run(['events', '--since', since, '--until', new Date(Date.now() + 1000).toISOString(), '--filter', 'container=sig', '--format', '{{.Status}}']);
    const actions = events.stdout.split('\n').filter(Boolean);
    for (const a of ['create', 'start', 'kill', 'pause', 'unpause', 'restart', 'died']) expect(actions).toContain(a);
    // The default line has the whole id; --no-trunc=false shortens it, as podman's does.
    const window = ['events', '--since', since, '--until', new Date(Date.now() + 1000).toISOString(), '--filter', 'container=sig'];
    expect((await box.run(window)).stdout).toContain(` container create ${id} (`);
    expect((await box.run([...window, '--no-trunc=false'])).stdout).toContain(` container create ${id.slice(0, 12)} (`);
    expect((await box.run(['rm', id])).code).toBe(0);
  });

  it('create, start -a, mount, umount, export', async () => {
    const id = (await box.run(['create', '--name', 'files', 'busybox', 'sh', '-c', 'echo data > /made-here; echo done'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await box.run(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toContain('files Created\n');
    const started = await box.run(['start', '-a', 'files']);
    expect(started).toMatchObject({ code: 0, stdout: 'done\n' });
    const mounted = (await box.run(['mount', 'files'])).stdout.trim();
    expect(readFileSync(join(mounted, 'made-here'), 'utf8')).toBe('data\n');
    expect((await box.run(['umount', 'files'])).code).toBe(0);
    const tar = join(box.dir, 'files.tar');
    expect((await box.run(['export', '-o', tar, 'files'])).code).toBe(0);
    const listing = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' });
    expect(listing).toMatch(/^\.?\/?made-here$/m);
    expect(listing).toMatch(/bin\/busybox/);
    await box.run(['rm', 'files']);
  });
});

describe('image commands', () => {
  it('import --change, tag, images, save, rmi, load', async () => {
    const tarball = join(box.dir, 'rootfs.tar');
    execFileSync(join(__dirname, '../../../tools/images/busybox-rootfs.sh'), ['--tar', tarball]);
    const imported = await box.run(['import', '--change', 'CMD ["echo", "from-cmd"]', '--change', 'ENV GREETING=hi', tarball, 'custom:1']);
    expect(imported.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await box.run(['run', '--rm', 'custom:1'])).stdout).toBe('from-cmd\n');
    expect((await box.run(['run', '--rm', 'custom:1', 'sh', '-c', 'echo $GREETING'])).stdout).toBe('hi\n');
    expect((await box.run(['tag', 'custom:1', 'custom:2'])).code).toBe(0);
    const images = (await box.run(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter(Boolean).sort();
    expect(images).toEqual(['localhost/busybox:latest', 'localhost/custom:1', 'localhost/custom:2']);
    const archive = join(box.dir, 'custom.tar');
    expect((await box.run(['save', '-o', archive, 'custom:1'])).code).toBe(0);
    expect(statSync(archive).size).toBeGreaterThan(100_000);
    expect((await box.run(['rmi', 'custom:1', 'custom:2'])).code).toBe(0);
    expect((await box.run(['rmi', 'custom:1'])).code).toBe(1);
    expect((await box.run(['load', '-i', archive])).stdout).toBe('Loaded image: localhost/custom:1\n');
    expect((await box.run(['run', '--rm', 'custom:1'])).stdout).toBe('from-cmd\n');
    const used = (await box.run(['create', 'custom:1'])).stdout.trim();
    expect((await box.run(['rmi', 'custom:1'])).code).toBe(2); // in use by a container
    await box.run(['rm', used]);
    expect((await box.run(['rmi', 'custom:1'])).code).toBe(0);
    expect(existsSync(archive)).toBe(true);
  });

  it('info and version answer', async () => {
    expect((await box.run(['version'])).stdout).toMatch(/^Client: +Corral Engine\nVersion: +\d/);
    expect((await box.run(['info'])).stdout).toMatch(/containerStore:\n +number: \d+/);
  });

  it('--log-level: JSON lines on stderr with each plugin named, nothing at the default level', async () => {
    const quiet = await box.run(['ps', '-a']);
    expect(quiet.stderr).toBe('');
    const loud = await box.run(['--log-level', 'debug', 'ps', '-a']);
    const lines = loud.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: number; plugin?: string; msg: string });
    expect(lines.filter((l) => l.msg === 'plugin started').map((l) => l.plugin)).toEqual(expect.arrayContaining(['state-sqlite', 'lock-file', 'runtime-conmon']));
    expect(lines.every((l) => l.level >= 20)).toBe(true);
    expect((await box.run(['--log-level', 'loud', 'ps'])).code).toBe(125);
  });
});
