import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ServiceBox } from './harness.js';

/**
 * `docker run -it` and `docker attach` in a real terminal (tmux): the keys typed reach
 * the container, and the detach keys (dockerd's default ctrl-p,ctrl-q, or the
 * client's --detach-keys) end the client and leave the container running.
 */
let box: ServiceBox;
const session = `corral-api-tty-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function screenShows(text: string): Promise<string> {
  let screen = '';
  for (let i = 0; i < 100; i++) {
    screen = tmux('capture-pane', '-t', session, '-p');
    if (screen.includes(text)) return screen;
    await sleep(100);
  }
  throw new Error(`the terminal never showed ${JSON.stringify(text)}:\n${screen}`);
}

async function state(name: string): Promise<string> {
  return (await box.docker(['inspect', '--format', '{{.State.Status}}', name])).stdout.trim();
}

beforeAll(async () => {
  box = await ServiceBox.create();
});
afterAll(async () => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  await box?.dispose();
});

describe('docker in a terminal', () => {
  it('detach keys leave the container running; attach picks it up again', async () => {
    const env = `DOCKER_HOST=unix://${box.socket} DOCKER_CONFIG=${box.dir}/docker-config`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${env} docker run -it --name tty busybox sh; echo EXIT=$?; sleep 60`);
    await screenShows('/ #');
    tmux('send-keys', '-t', session, 'echo in-$((6*7))', 'Enter');
    await screenShows('in-42');
    tmux('send-keys', '-t', session, 'C-p', 'C-q');
    await screenShows('EXIT=0');
    expect(await state('tty')).toBe('running');

    tmux('respawn-pane', '-k', '-t', session, `${env} docker attach --detach-keys ctrl-x,x tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    tmux('send-keys', '-t', session, 'echo again-$((6*8))', 'Enter');
    await screenShows('again-48');
    // Keys of the client's own choosing: the docker CLI spots them itself (and says so).
    tmux('send-keys', '-t', session, 'C-x', 'x');
    await screenShows('read escape sequence');
    expect(await state('tty')).toBe('running');

    tmux('respawn-pane', '-k', '-t', session, `${env} docker attach tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    tmux('send-keys', '-t', session, 'exit 5', 'Enter');
    await screenShows('EXIT=5');
    expect(await state('tty')).toBe('exited');
  });

  it('bad detach keys are refused with 400 before anything is attached', async () => {
    expect((await box.docker(['run', '-d', '-i', '--name', 'plain', 'busybox', 'cat'])).code).toBe(0);
    const r = await box.docker(['attach', '--detach-keys', 'ctrl-', 'plain']);
    expect(r.code).not.toBe(0);
    // The docker CLI shows only the status of a refused upgrade.
    expect(r.stderr).toMatch(/received 400/);
    expect(await state('plain')).toBe('running');
  });
});
