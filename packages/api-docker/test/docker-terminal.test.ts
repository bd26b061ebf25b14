import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxSession } from '@corral/testkit/tmux';
import { ServiceBox } from './harness.js';

/**
 * `docker run -it` and `docker attach` in a real terminal (tmux): the keys typed reach
 * the container, and the detach keys (dockerd's default ctrl-p,ctrl-q, or the
 * client's --detach-keys) end the client and leave the container running.
 */
let box: ServiceBox;
const term = new TmuxSession(`corral-api-tty-${process.pid}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function state(name: string): Promise<string> {
  return (await box.docker(['inspect', '--format', '{{.State.Status}}', name])).stdout.trim();
}

beforeAll(async () => {
  box = await ServiceBox.create();
});
afterAll(async () => {
  term.kill();
  await box?.dispose();
});

describe('docker in a terminal', () => {
  it('detach keys leave the container running; attach picks it up again', async () => {
    const env = `DOCKER_HOST=unix://${box.socket} DOCKER_CONFIG=${box.dir}/docker-config`;
    term.start(`${env} docker run -it --name tty busybox sh; echo EXIT=$?; sleep 60`);
    await term.shows('/ #');
    term.keys('echo in-$((6*7))', 'Enter');
    await term.shows('in-42');
    term.keys('C-p', 'C-q');
    await term.shows('EXIT=0');
    expect(await state('tty')).toBe('running');

    term.respawn(`${env} docker attach --detach-keys ctrl-x,x tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    term.keys('echo again-$((6*8))', 'Enter');
    await term.shows('again-48');
    // Keys of the client's own choosing: the docker CLI spots them itself (and says so).
    term.keys('C-x', 'x');
    await term.shows('read escape sequence');
    expect(await state('tty')).toBe('running');

    term.respawn(`${env} docker attach tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    term.keys('exit 5', 'Enter');
    await term.shows('EXIT=5');
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
