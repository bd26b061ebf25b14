import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Sandbox } from './harness.js';

let box: Sandbox;
beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  await box?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('networks', () => {
  it('two containers on a user-defined network talk by name; teardown leaves nothing', async () => {
    const created = await box.run(['network', 'create', '--subnet', '10.97.5.0/24', 'clinet']);
    expect(created).toMatchObject({ code: 0, stdout: 'clinet\n' });
    expect((await box.run(['network', 'ls', '--format', '{{.Name}}'])).stdout).toContain('clinet\n');
    expect((await box.run(['run', '-d', '--name', 'server', '--network', 'clinet', 'busybox', 'sh', '-c', 'echo pong | nc -l -p 7000'])).code).toBe(0);
    const client = await box.run(['run', '--rm', '--network', 'clinet', 'busybox', 'sh', '-c', 'sleep 0.5; nc -w 3 server 7000']);
    expect(client.stdout).toBe('pong\n');
    const inspect = await box.run(['network', 'inspect', '--format', '{{range .subnets}}{{.subnet}}{{end}}', 'clinet']);
    expect(inspect.stdout).toBe('10.97.5.0/24\n');
    expect((await box.run(['network', 'rm', 'clinet'])).code).toBe(2); // a container is configured on it
    expect((await box.run(['rm', '-f', '-t', '0', 'server'])).code).toBe(0);
    expect((await box.run(['network', 'rm', 'clinet'])).stdout).toBe('clinet\n');
    expect((await box.run(['network', 'inspect', 'clinet'])).code).toBe(125);
  });

  it('publishes a port on the host loopback and reports it', async () => {
    await box.run(['run', '-d', '--name', 'web', '-p', '127.0.0.1:18431:80', 'busybox', 'sh', '-c', 'while :; do echo hello | nc -l -p 80; done']);
    expect((await box.run(['port', 'web'])).stdout).toBe('80/tcp -> 127.0.0.1:18431\n');
    const { createConnection } = await import('node:net');
    let answer = '';
    for (let i = 0; i < 30 && !answer; i++) {
      answer = await new Promise<string>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: 18431 });
        let data = '';
        socket.on('data', (d) => (data += d));
        socket.on('end', () => resolve(data));
        socket.on('error', () => resolve(''));
      });
      if (!answer) await sleep(100);
    }
    expect(answer).toBe('hello\n');
    const top = await box.run(['top', 'web']);
    expect(top.stdout.split('\n')[0]).toMatch(/^USER\s+PID\s+PPID\s+%CPU\s+ELAPSED\s+TTY\s+TIME\s+COMMAND$/);
    expect(top.stdout).toMatch(/root\s+1\s+0\s.*sh -c while/);
    await box.run(['rm', '-f', '-t', '0', 'web']);
  });

  it('--network none and host', async () => {
    const none = await box.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    expect(none.stdout).toBe('lo\n');
    const host = await box.run(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class/net | grep -c .']);
    expect(Number(host.stdout)).toBeGreaterThan(1);
  });
});

describe('checkpoint and restore from the command line', () => {
  it('checkpoints to an archive, and restores it under another name', async () => {
    await box.run(['run', '-d', '--name', 'count', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done']);
    await sleep(500);
    const archive = join(box.dir, 'count.tar.gz');
    const cp = await box.run(['container', 'checkpoint', '--export', archive, 'count']);
    expect(cp).toMatchObject({ code: 0, stdout: 'count\n' });
    expect((await box.run(['inspect', '--format', '{{.State.Status}} {{.State.Checkpointed}}', 'count'])).stdout).toBe('exited true\n');
    expect((await box.run(['container', 'restore', 'count'])).stdout).toBe('count\n');
    // A copy keeps the checkpoint's address unless told otherwise, as with podman; the
    // original runs with it again, so the copy takes a new one.
    const restored = await box.run(['container', 'restore', '--import', archive, '--name', 'count2', '--ignore-static-ip']);
    expect(restored.code).toBe(0);
    expect((await box.run(['inspect', '--format', '{{.State.Status}}', 'count2'])).stdout).toBe('running\n');
    expect((await box.run(['ps', '--format', '{{.Names}}'])).stdout.split('\n').sort().filter(Boolean)).toEqual(['count', 'count2']);
    await box.run(['rm', '-f', '-t', '0', 'count', 'count2']);
  });
});
