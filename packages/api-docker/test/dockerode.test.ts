import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { ServiceBox } from './harness.js';

let box: ServiceBox;
let docker: Docker;
beforeAll(async () => {
  box = await ServiceBox.create();
  docker = new Docker({ socketPath: box.socket });
});
afterAll(async () => {
  await box?.dispose();
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

describe('dockerode against corral', () => {
  it('ping and version', async () => {
    expect(String(await docker.ping())).toBe('OK');
    expect(await docker.version()).toMatchObject({ ApiVersion: '1.44', Os: 'linux' });
  });

  it('docker.run: create, attach, start, wait, with stdout and stderr demultiplexed', async () => {
    const out = collect();
    const err = collect();
    const [result, ctr] = (await docker.run('busybox', ['sh', '-c', 'echo out; echo err >&2; exit 2'], [out.stream, err.stream], { Tty: false })) as [
      { StatusCode: number },
      Docker.Container,
    ];
    expect(result.StatusCode).toBe(2);
    expect(out.text()).toBe('out\n');
    expect(err.text()).toBe('err\n');
    await ctr.remove();
  });

  it('hijacked attach with stdin: input before start is kept, output flows after stdin ends', async () => {
    const ctr = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'cat; echo done'], OpenStdin: true, StdinOnce: true, AttachStdin: true });
    const stream = (await ctr.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadWriteStream & {
      end(data?: string): void;
    };
    const out = collect();
    const err = collect();
    docker.modem.demuxStream(stream, out.stream, err.stream);
    stream.write('early\n');
    const ended = new Promise((r) => stream.on('end', r));
    await ctr.start();
    stream.end('late\n');
    await ended;
    expect(out.text()).toBe('early\nlate\ndone\n');
    expect((await ctr.wait()).StatusCode).toBe(0);
    await ctr.remove();
  });

  it('plain (non-hijacked) attach, logs, exec, inspect, events', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const ctr = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo hello; trap "exit 0" TERM; while true; do sleep 0.1; done'], name: 'dode' });
    const attached = (await ctr.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const out = collect();
    docker.modem.demuxStream(attached, out.stream, new PassThrough());
    await ctr.start();
    await expect.poll(() => out.text(), { timeout: 10_000 }).toBe('hello\n');
    const info = await ctr.inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Name).toBe('/dode');

    const exec = await ctr.exec({ Cmd: ['sh', '-c', 'echo in-exec; exit 3'], AttachStdout: true, AttachStderr: true });
    const execStream = await exec.start({ hijack: true, stdin: false });
    const execOut = collect();
    docker.modem.demuxStream(execStream, execOut.stream, new PassThrough());
    await new Promise((r) => execStream.on('end', r));
    expect(execOut.text()).toBe('in-exec\n');
    expect(await exec.inspect()).toMatchObject({ ExitCode: 3, Running: false });

    const logs = (await ctr.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    // Not following, dockerode hands back the multiplexed bytes.
    expect(logs.subarray(8).toString()).toBe('hello\n');
    expect([...logs.subarray(0, 8)]).toEqual([1, 0, 0, 0, 0, 0, 0, 6]);

    await ctr.stop({ t: 1 });
    expect((await ctr.wait()).StatusCode).toBe(0);
    const list = await docker.listContainers({ all: true, filters: { name: ['dode'] } });
    expect(list.map((c) => [c.Names[0], c.State])).toEqual([['/dode', 'exited']]);
    await ctr.remove();

    const events = (await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { container: ['dode'] } })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of events) text += chunk;
    const actions = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).Action as string);
    expect(actions).toEqual(expect.arrayContaining(['create', 'start', 'exec_start: sh -c echo in-exec; exit 3', 'exec_die', 'die', 'stop', 'destroy']));
  });

  it('restart, detached exec, TTY resize of a container and of an exec session', async () => {
    const ctr = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '60'], Tty: true });
    await ctr.start();
    const before = (await ctr.inspect()).State.StartedAt;
    await ctr.restart({ t: 0 });
    const after = await ctr.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    await ctr.resize({ h: 20, w: 40 });

    const detached = await ctr.exec({ Cmd: ['sh', '-c', 'exit 6'] });
    await detached.start({ Detach: true });
    await expect.poll(async () => (await detached.inspect()).ExitCode, { timeout: 10_000 }).toBe(6);

    const tty = await ctr.exec({ Cmd: ['sh', '-c', 'sleep 1; stty size'], Tty: true, AttachStdout: true, AttachStderr: true });
    const stream = await tty.start({ hijack: true, stdin: false, Tty: true });
    let text = '';
    stream.on('data', (d: Buffer) => (text += d));
    const ended = new Promise((r) => stream.on('end', r));
    await expect.poll(async () => (await tty.inspect()).Running, { timeout: 10_000 }).toBe(true);
    await tty.resize({ h: 12, w: 34 });
    await ended;
    // Raw output with a TTY: no multiplexing headers.
    expect(text.replace(/\r/g, '')).toBe('12 34\n');
    await ctr.remove({ force: true });
  });

  it('the service keeps serving after a client goes away mid-stream', async () => {
    const ctr = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '30'] });
    await ctr.start();
    const stream = (await ctr.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    stream.destroy();
    expect(String(await docker.ping())).toBe('OK');
    await ctr.remove({ force: true });
    await expect(ctr.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
