import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { ServiceBox } from './harness.js';

const run = promisify(execFile);
let box: ServiceBox;
beforeAll(async () => {
  box = await ServiceBox.create();
});
afterAll(async () => {
  await box?.dispose();
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await box.docker(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('the docker CLI against corral', () => {
  it('docker version shows the server and its API version', async () => {
    const r = await box.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1.44 1.41 linux');
  });

  it('docker run --rm prints the output, passes the exit code and removes the container', async () => {
    expect(await box.docker(['run', '--rm', 'busybox', 'echo', 'hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
    const failed = await box.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo oops >&2; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: '', stderr: 'oops\n' });
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  it('a command that cannot run gives 127 / 126 and its --rm container is removed', async () => {
    const missing = await box.docker(['run', '--rm', 'busybox', '/nonexistent']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/no such file or directory/);
    expect(missing.stderr).not.toMatch(/Error waiting/);
    expect((await box.docker(['run', '--rm', 'busybox', '/etc/passwd'])).code).toBe(126);
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  it('echo hi | docker run -i --rm IMAGE cat', async () => {
    expect(await box.docker(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\nthere\n' })).toMatchObject({ code: 0, stdout: 'hi\nthere\n' });
    // Output keeps flowing after stdin's end.
    const r = await box.docker(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'cat; sleep 0.3; echo after'], { input: 'in\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'in\nafter\n' });
  });

  it('docker run --rm -t through a pseudo-terminal gets the terminal and its size', async () => {
    const command = `stty rows 30 cols 100; DOCKER_HOST=unix://${box.socket} DOCKER_CONFIG=${box.dir}/docker-config docker run --rm -t busybox sh -c 'stty size; tty'`;
    // Asynchronously: the service runs in this very process.
    const { stdout } = await run('script', ['-qec', command, '/dev/null']);
    expect(stdout.replace(/\r/g, '')).toBe('30 100\n/dev/pts/0\n');
  });

  it('docker run -d, ps, logs, exec, stop -t 1, rm', async () => {
    const id = (await ok(['run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'echo started; trap "exit 0" TERM; while true; do sleep 0.1; done'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = await ok(['ps', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Status}}']);
    expect(ps).toMatch(new RegExp(`^${id.slice(0, 12)} web busybox Up `, 'm'));
    await expect.poll(async () => ok(['logs', 'web']), { timeout: 10_000 }).toBe('started\n');
    expect(await box.docker(['exec', 'web', 'sh', '-c', 'exit 7'])).toMatchObject({ code: 7 });
    expect(await box.docker(['exec', 'web', 'echo', 'from exec'])).toMatchObject({ code: 0, stdout: 'from exec\n' });
    expect(await box.docker(['exec', 'web', '/nonexistent'])).toMatchObject({ code: 127 });
    expect(await box.docker(['exec', '-i', 'web', 'cat'], { input: 'piped\n' })).toMatchObject({ code: 0, stdout: 'piped\n' });
    expect((await ok(['stop', '-t', '1', 'web'])).trim()).toBe('web');
    expect(await ok(['ps', '-a', '--filter', 'name=web', '--format', '{{.Status}}'])).toMatch(/^Exited \(0\)/);
    expect((await ok(['rm', 'web'])).trim()).toBe('web');
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  it('docker wait returns the exit code', async () => {
    const id = (await ok(['run', '-d', 'busybox', 'sh', '-c', 'sleep 0.3; exit 5'])).trim();
    expect((await ok(['wait', id])).trim()).toBe('5');
    await ok(['rm', id]);
  });

  it('docker kill -s HUP delivers the signal', async () => {
    const id = (await ok(['run', '-d', 'busybox', 'sh', '-c', 'trap "echo got-hup; exit 4" HUP; echo ready; while true; do sleep 0.1; done'])).trim();
    await expect.poll(async () => ok(['logs', id]), { timeout: 10_000 }).toBe('ready\n');
    expect((await ok(['kill', '-s', 'HUP', id])).trim()).toBe(id);
    expect((await ok(['wait', id])).trim()).toBe('4');
    expect(await ok(['logs', id])).toBe('ready\ngot-hup\n');
    await ok(['rm', id]);
  });

  it('docker logs -f follows until the container exits', async () => {
    const id = (await ok(['run', '-d', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.2; done; echo err >&2'])).trim();
    const r = await box.docker(['logs', '-f', id]);
    expect(r).toMatchObject({ code: 0, stdout: 'line1\nline2\nline3\n', stderr: 'err\n' });
    // The tail counts lines of both streams, as Docker's does.
    expect(await box.docker(['logs', '--tail', '2', id])).toMatchObject({ stdout: 'line3\n', stderr: 'err\n' });
    expect(await ok(['logs', '-t', id])).toMatch(/^\d{4}-\d\d-\d\dT\S+ line1\n/);
    await ok(['rm', id]);
  });

  it('docker pause/unpause, inspect, rm -f', async () => {
    const id = (await ok(['run', '-d', '-e', 'A=b', '-l', 'team=x', 'busybox', 'sleep', '60'])).trim();
    await ok(['pause', id]);
    expect((await ok(['inspect', '--format', '{{.State.Status}} {{.State.Paused}}', id])).trim()).toBe('paused true');
    await ok(['unpause', id]);
    const [info] = JSON.parse(await ok(['inspect', id]));
    expect(info).toMatchObject({
      Id: id,
      State: { Status: 'running', Running: true, Paused: false },
      Config: { Image: 'busybox', Cmd: ['sleep', '60'], Labels: { team: 'x' }, Tty: false },
      HostConfig: { AutoRemove: false },
      Path: 'sleep',
      Args: ['60'],
    });
    expect(info.Config.Env).toContain('A=b');
    expect(info.Name).toMatch(/^\//);
    expect((await ok(['rm', '-f', id])).trim()).toBe(id);
    const gone = await box.docker(['inspect', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No such (container|object)/);
  });

  it('docker export writes the root filesystem', async () => {
    const id = (await ok(['create', 'busybox', 'true'])).trim();
    const tar = join(box.dir, 'export.tar');
    await ok(['export', '-o', tar, id]);
    expect((await run('tar', ['tf', tar])).stdout).toMatch(/bin\/busybox/);
    await ok(['rm', id]);
  });

  it('docker images, tag, import, load, rmi', async () => {
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toContain('localhost/busybox:latest');
    await ok(['tag', 'busybox', 'copy:1']);
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toContain('copy:1');
    const tar = join(box.dir, 'busybox.tar');
    const imported = await ok(['import', tar, 'imported:2']);
    expect(imported.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await box.docker(['run', '--rm', 'imported:2', 'echo', 'from import'])).toMatchObject({ code: 0, stdout: 'from import\n' });
    const saved = join(box.dir, 'saved.tar');
    // docker save is not offered; build the archive with corral's own store instead.
    const { createWriteStream } = await import('node:fs');
    await box.engine.images.save(['copy:1'], createWriteStream(saved));
    await ok(['rmi', 'copy:1']);
    expect(await ok(['load', '-i', saved])).toMatch(/Loaded image/);
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toContain('copy:1');
    expect(await ok(['rmi', 'imported:2'])).toMatch(/Untagged|Deleted/);
    const missing = await box.docker(['rmi', 'nosuchimage']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such image: nosuchimage/);
  });

  it('docker events with --since/--until and a filter', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await box.docker(['run', '--rm', '--name', 'evt', 'busybox', 'true']);
    const until = Math.ceil(Date.now() / 1000) + 1;
    const out = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'container=evt', '--format', '{{.Type}} {{.Action}}']);
    const lines = out.trim().split('\n');
    expect(lines).toContain('container create');
    expect(lines).toContain('container start');
    expect(lines).toContain('container die');
    const starts = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'event=start', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    expect(starts.trim().split('\n')).toContain('start evt');
  });

  it('unknown containers get Docker errors', async () => {
    for (const args of [['stop', 'nosuch'], ['kill', 'nosuch'], ['start', 'nosuch'], ['logs', 'nosuch'], ['rm', 'nosuch'], ['wait', 'nosuch'], ['exec', 'nosuch', 'true']]) {
      const r = await box.docker(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/No such container: nosuch/);
    }
  });
});
