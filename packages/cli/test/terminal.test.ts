import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CORRAL, Sandbox } from './harness.js';

/**
 * `run -it` as a person uses it: a real terminal (tmux), keys typed, the screen read.
 * The container sees the terminal's size, detach keys leave it running, and corral
 * returns the container's exit code.
 */
let box: Sandbox;
const session = `corral-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function screenShows(text: string): Promise<string> {
  let screen = '';
  for (let i = 0; i < 50; i++) {
    screen = tmux('capture-pane', '-t', session, '-p');
    if (screen.includes(text)) return screen;
    await sleep(100);
  }
  throw new Error(`the terminal never showed ${JSON.stringify(text)}:\n${screen}`);
}

beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  await box?.dispose();
});

describe('an interactive terminal', () => {
  it('run -it: the size is seen, keys go through, detach keys detach, exit codes come back', async () => {
    const cmd = `${process.execPath} ${CORRAL} --root ${box.root} --runroot ${box.runRoot}`;
    const env = `CORRAL_CONFIG=${join(box.dir, 'none.toml')}`;
    tmux('new-session', '-d', '-s', session, '-x', '91', '-y', '33', `${env} ${cmd} run -it --name tty busybox sh; echo EXIT=$?; sleep 60`);
    await screenShows('/ #');
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await screenShows('33 91');
    tmux('send-keys', '-t', session, 'C-p', 'C-q');
    await screenShows('EXIT=0');
    expect((await box.run(['inspect', '--format', '{{.State.Status}}', 'tty'])).stdout).toBe('running\n');

    tmux('respawn-pane', '-k', '-t', session, `${env} ${cmd} attach tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    tmux('send-keys', '-t', session, 'exit 7', 'Enter');
    await screenShows('EXIT=7');
    await box.run(['rm', 'tty']);
  });
});
