import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRootfs, realHarness } from './helpers.js';

/**
 * state() answers from what the plugin last did to the process while conmon lives and
 * has written no exit file: no `runc state` per call (every sync of a running
 * container used to spawn one). runc behind a wrapper that logs its arguments shows it.
 */
const image = makeRootfs();
const dir = mkdtempSync(join(tmpdir(), 'corral-rt-logged-'));
const calls = join(dir, 'calls');
const wrapper = join(dir, 'runc-logged');
writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${calls}\nexec runc "$@"\n`);
chmodSync(wrapper, 0o755);
afterAll(() => {
  image.remove();
  rmSync(dir, { recursive: true, force: true });
});

const stateCalls = () => readFileSync(calls, 'utf8').split('\n').filter((l) => / state /.test(` ${l} `)).length;

describe('state of a monitored container', () => {
  it('comes from the plugin while conmon lives, from runc once conmon is gone', async () => {
    const h = realHarness(image.rootfs, { config: { runtimes: { logged: { path: wrapper } } } }, 'logged');
    const req = h.makeRequest({ command: ['sleep', '1000'] });
    try {
      const { conmonPid } = await h.runtime.create(req);
      const id = req.config.id;
      expect((await h.runtime.state(id)).status).toBe('created');
      await h.runtime.start(id);
      expect(await h.runtime.state(id)).toMatchObject({ status: 'running' });
      await h.runtime.pause(id);
      expect((await h.runtime.state(id)).status).toBe('paused');
      await h.runtime.resume(id);
      expect((await h.runtime.state(id)).status).toBe('running');
      expect(stateCalls()).toBe(0);

      // Without its monitor the process is ended, and runc is what says so.
      process.kill(conmonPid, 'SIGKILL');
      await h.runtime.waitExit(id, { timeoutMs: 20_000 });
      const st = await h.runtime.state(id);
      expect(st.status).toBe('stopped');
      expect(st.error).toMatch(/conmon \(pid \d+\) monitoring container \w+ died/);
      expect(stateCalls()).toBeGreaterThan(0);
    } finally {
      await h.runtime.delete(req.config.id, true);
      await h.cleanup();
    }
  });

  it('a process dead before conmon recorded it: kill is no error, state waits for the exit file', async () => {
    const h = realHarness(image.rootfs, { config: { runtimes: { logged: { path: wrapper } } } }, 'logged');
    const req = h.makeRequest({ command: ['sleep', '1000'] });
    let conmon = 0;
    try {
      const created = await h.runtime.create(req);
      conmon = created.conmonPid;
      const id = req.config.id;
      await h.runtime.start(id);
      // conmon held still, so the dead process stays unreaped and unrecorded.
      process.kill(conmon, 'SIGSTOP');
      process.kill(created.pid, 'SIGKILL');
      while (!readFileSync(`/proc/${created.pid}/stat`, 'utf8').includes(') Z')) await new Promise((r) => setTimeout(r, 5));
      await expect(h.runtime.kill(id, 15)).resolves.toBeUndefined();
      const state = h.runtime.state(id);
      setTimeout(() => process.kill(conmon, 'SIGCONT'), 300);
      expect(await state).toMatchObject({ status: 'stopped', exitCode: 137 });
    } finally {
      try {
        if (conmon) process.kill(conmon, 'SIGCONT');
      } catch {
        // conmon has exited already
      }
      await h.runtime.delete(req.config.id, true);
      await h.cleanup();
    }
  });
});
