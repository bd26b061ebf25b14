import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { TmuxSession } from '@corral/testkit/tmux';
import { CORRAL, Sandbox } from './harness.js';

/**
 * `run -it` as a person uses it: a real terminal (tmux), keys typed, the screen read.
 * The container sees the terminal's size, detach keys leave it running, and corral
 * returns the container's exit code.
 */
let box: Sandbox;
const term = new TmuxSession(`corral-test-${process.pid}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  box = await Sandbox.create();
});
afterAll(async () => {
  term.kill();
  await box?.dispose();
});

describe('an interactive terminal', () => {
  it('run -it: the size is seen, keys go through, detach keys detach, exit codes come back', async () => {
    const cmd = `${CORRAL} --root ${box.root} --runroot ${box.runRoot}`;
    const env = `CORRAL_CONFIG=${join(box.dir, 'none.toml')}`;
    term.start(`${env} ${cmd} run -it --name tty busybox sh; echo EXIT=$?; sleep 60`, 91, 33);
    await term.shows('/ #');
    term.keys('stty size', 'Enter');
    await term.shows('33 91');
    term.keys('C-p', 'C-q');
    await term.shows('EXIT=0');
    expect((await box.run(['inspect', '--format', '{{.State.Status}}', 'tty'])).stdout).toBe('running\n');

    term.respawn(`${env} ${cmd} attach tty; echo EXIT=$?; sleep 60`);
    await sleep(500);
    term.keys('exit 7', 'Enter');
    await term.shows('EXIT=7');
    await box.run(['rm', 'tty']);
  });
});
