import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ContainerStatus as S,
  Engine,
  ErrorCode,
  EventBackend,
  ImageStore,
  LockManager,
  OciRuntime,
  RootfsStore,
  StateStore,
  shouldRestart,
  silentLogger,
} from '@corral/core';
import { valuePlugin, type TestEngine } from '@corral/testkit';
import { create, sink, testEngine } from './helpers.js';

let t: TestEngine;
beforeEach(async () => {
  t = await testEngine();
});
afterEach(async () => {
  await t.dispose();
});

const actions = () => t.events.events.filter((e) => e.type === 'container').map((e) => e.action);

describe('create', () => {
  it('merges the image config and validates names', async () => {
    const ctr = await create(t, { name: 'web', env: ['A=1', 'PATH=/usr/bin'], labels: { tier: 'front' } });
    const c = ctr.config;
    expect(c.command).toEqual(['sleep']);
    expect(c.env).toEqual(['PATH=/usr/bin', 'A=1']);
    expect(c.stopSignal).toBe(15);
    expect(c.hostname).toBe(c.id.slice(0, 12));
    expect(c.network.mode).toBe('none');
    expect(actions()).toEqual(['create']);
    await expect(create(t, { name: 'web' })).rejects.toMatchObject({ code: ErrorCode.CtrExists });
    for (const bad of ['', '-x', 'a/b', '..', 'a b', 'x\0y']) {
      await expect(create(t, { name: bad })).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
    }
    await expect(create(t, { image: 'nope' })).rejects.toMatchObject({ code: ErrorCode.NoSuchImage });
  });

  it('an entrypoint given by the caller drops the image CMD; no command at all is refused', async () => {
    const ctr = await create(t, { entrypoint: ['exit'] });
    expect(ctr.config.command).toEqual([]);
    await expect(create(t, { command: [] })).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
    await expect(create(t, { autoRemove: true, restartPolicy: { name: 'always', maxRetries: 0 } })).rejects.toThrow(/--rm/);
  });

  it('a failed store write leaves no root filesystem behind', async () => {
    await create(t, { name: 'taken' });
    await expect(create(t, { name: 'taken' })).rejects.toMatchObject({ code: ErrorCode.CtrExists });
    expect((await t.engine.list()).length).toBe(1);
    const dirs = await readdir(t.rootfs.root);
    expect(dirs).toHaveLength(1);
  });

  it('looks up by id, unique prefix and name', async () => {
    const ctr = await create(t, { name: 'alpha' });
    expect((await t.engine.container('alpha')).id).toBe(ctr.id);
    expect((await t.engine.container(ctr.id.slice(0, 6))).id).toBe(ctr.id);
    await expect(t.engine.container('missing')).rejects.toMatchObject({ code: ErrorCode.NoSuchCtr });
  });
});

describe('stop', () => {
  it('sends the stop signal, then SIGKILL after the timeout, and cleans up', async () => {
    const ctr = await create(t, { command: ['ignore-term'] });
    await ctr.start();
    const began = Date.now();
    await ctr.stop(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    const signals = t.runtime.callsOf('kill').map((c) => c[2]);
    expect(signals).toEqual([15, 9]);
    const state = await ctr.sync();
    expect(state.status).toBe(S.Exited);
    expect(state.exitCode).toBe(137);
    expect(t.runtime.containers.has(ctr.id)).toBe(false);
    expect(actions()).toEqual(['create', 'init', 'start', 'died', 'cleanup', 'stop']);
  });

  it('a process that honours SIGTERM stops without SIGKILL', async () => {
    const ctr = await create(t);
    await ctr.start();
    await ctr.stop(10);
    expect(t.runtime.callsOf('kill').map((c) => c[2])).toEqual([15]);
    expect((await ctr.sync()).exitCode).toBe(143);
  });

  it('saves Stopping and releases the lock while it waits', async () => {
    const ctr = await create(t, { command: ['ignore-term'] });
    await ctr.start();
    const stopping = ctr.stop(2);
    await new Promise((r) => setTimeout(r, 100));
    const other = await t.engine.container(ctr.id);
    // Another operation gets the lock meanwhile and sees Stopping.
    expect((await other.sync()).status).toBe(S.Stopping);
    await other.kill('SIGKILL');
    await stopping;
    expect((await other.sync()).status).toBe(S.Exited);
  });

  /** The process exits with `code` just before `signal` reaches it; the runtime then refuses, as runc does. */
  function exitJustBefore(signal: number, code: number): void {
    const kill = t.runtime.kill.bind(t.runtime);
    t.runtime.kill = async (id, sig, all) => {
      if (sig === signal) t.runtime.exitProcess(id, code);
      return kill(id, sig, all);
    };
  }

  it('a process that dies just as the SIGKILL goes out is stopped, not an error', async () => {
    const ctr = await create(t, { command: ['ignore-term'] });
    await ctr.start();
    exitJustBefore(9, 137); // the timeout's SIGKILL finds it gone
    await ctr.stop(1);
    expect((await ctr.sync())).toMatchObject({ status: S.Exited, exitCode: 137 });
  });

  it('a process that exits just as the stop signal goes out is stopped, not an error', async () => {
    const ctr = await create(t);
    await ctr.start();
    exitJustBefore(15, 3); // it exits on its own between the stop's sync and its SIGTERM
    await ctr.stop(10);
    expect((await ctr.sync())).toMatchObject({ status: S.Exited, exitCode: 3 });
  });
});

describe('generated names', () => {
  it('a generated name taken by a concurrent create is replaced, not an error', async () => {
    const add = t.store.containers.add.bind(t.store.containers);
    let taken = '';
    t.store.containers.add = async (config, state) => {
      if (!taken) {
        taken = config.name;
        await create(t, { name: taken });
      }
      return add(config, state);
    };
    const ctr = await create(t);
    expect(ctr.config.name).not.toBe(taken);
    expect((await t.engine.list()).map((r) => r.config.name).sort()).toEqual([ctr.config.name, taken].sort());
  });
});

describe('restart policies', () => {
  it('decides as podman does', () => {
    const onFailure = { name: 'on-failure' as const, maxRetries: 2 };
    expect(shouldRestart(onFailure, 0, 0, false)).toBe(false);
    expect(shouldRestart(onFailure, 1, 0, false)).toBe(true);
    expect(shouldRestart(onFailure, 1, 2, false)).toBe(false);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 0 }, 1, 99, false)).toBe(true);
    expect(shouldRestart({ name: 'always', maxRetries: 0 }, 0, 5, false)).toBe(true);
    expect(shouldRestart({ name: 'always', maxRetries: 0 }, 0, 0, true)).toBe(false);
    expect(shouldRestart({ name: 'unless-stopped', maxRetries: 0 }, 1, 0, true)).toBe(false);
    expect(shouldRestart({ name: 'no', maxRetries: 0 }, 1, 0, false)).toBe(false);
  });

  it('cleanup restarts an on-failure container until its retries are used', async () => {
    const ctr = await create(t, { command: ['sleep'], restartPolicy: { name: 'on-failure', maxRetries: 2 } });
    await ctr.start();
    for (const expected of [1, 2]) {
      t.runtime.exitProcess(ctr.id, 3);
      await ctr.cleanup();
      const state = await ctr.sync();
      expect(state.status).toBe(S.Running);
      expect(state.restartCount).toBe(expected);
    }
    t.runtime.exitProcess(ctr.id, 3);
    await ctr.cleanup();
    expect((await ctr.sync()).status).toBe(S.Exited);
    expect(actions().filter((a) => a === 'restart')).toHaveLength(2);
  });

  it('on-failure does not restart exit 0; always does', async () => {
    const a = await create(t, { restartPolicy: { name: 'on-failure', maxRetries: 0 } });
    await a.start();
    t.runtime.exitProcess(a.id, 0);
    await a.cleanup();
    expect((await a.sync()).status).toBe(S.Exited);
    const b = await create(t, { restartPolicy: { name: 'always', maxRetries: 0 } });
    await b.start();
    t.runtime.exitProcess(b.id, 0);
    await b.cleanup();
    expect((await b.sync()).status).toBe(S.Running);
  });

  it('a stop or kill by the user never restarts', async () => {
    const ctr = await create(t, { restartPolicy: { name: 'always', maxRetries: 0 } });
    await ctr.start();
    await ctr.stop(0);
    expect((await ctr.sync()).status).toBe(S.Exited);
    await ctr.start();
    await ctr.kill('KILL');
    await ctr.cleanup();
    expect((await ctr.sync()).status).toBe(S.Exited);
  });

  it('cleanup removes a --rm container and keeps its exit code for wait', async () => {
    const ctr = await create(t, { autoRemove: true });
    await ctr.start();
    t.runtime.exitProcess(ctr.id, 7);
    await ctr.cleanup();
    expect(await t.engine.exists(ctr.id)).toBe(false);
    expect(await ctr.wait()).toBe(7);
  });
});

describe('exec', () => {
  it('returns the exit code; 127 for not found and 126 for cannot invoke', async () => {
    const ctr = await create(t);
    await ctr.start();
    expect(await ctr.exec({ command: ['exit', '3'] }, { stdout: sink() })).toBe(3);
    expect(await ctr.exec({ command: ['notfound'] }, { stdout: sink() })).toBe(127);
    expect(await ctr.exec({ command: ['noexec'] }, { stdout: sink() })).toBe(126);
    expect(await ctr.execSessions()).toEqual([]);
    const died = t.events.events.filter((e) => e.action === 'exec_died').map((e) => e.exitCode);
    expect(died).toEqual([3, 127, 126]);
  });

  it('a detached session reports its exit code; sessions are checked', async () => {
    const ctr = await create(t);
    await ctr.start();
    const id = await ctr.execCreate({ command: ['exit', '4'] });
    await ctr.execStart(id);
    expect(await ctr.execInspect(id)).toMatchObject({ status: 'stopped', exitCode: 4 });
    await expect(ctr.execStart(id)).rejects.toMatchObject({ code: ErrorCode.ExecSessionStateInvalid });
    await expect(ctr.execInspect('nope')).rejects.toMatchObject({ code: ErrorCode.NoSuchExecSession });
    await expect(ctr.execCreate({ command: [] })).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
    await ctr.stop(0);
    await expect(ctr.execCreate({ command: ['true'] })).rejects.toMatchObject({ code: ErrorCode.CtrStateInvalid });
  });
});

describe('locking', () => {
  it('Batch takes the lock once for several operations', async () => {
    const ctr = await create(t);
    let locks = 0;
    const locker = t.locks.locker(ctr.id);
    const original = locker.lock.bind(locker);
    (t.locks as unknown as { locker: (n: string) => typeof locker }).locker = () => ({
      ...locker,
      name: locker.name,
      lock: async () => {
        locks++;
        await original();
      },
      unlock: () => locker.unlock(),
    });
    await ctr.batch(async (c) => {
      await c.init();
      await c.start();
      await c.pause();
      await c.unpause();
    });
    expect(locks).toBe(1);
    expect((await t.store.containers.getState(ctr.id)).status).toBe(S.Running);
  });

  it('concurrent operations on one container serialize', async () => {
    const ctr = await create(t);
    await ctr.start();
    let inFlight = 0;
    let most = 0;
    const kill = t.runtime.kill.bind(t.runtime);
    t.runtime.kill = async (...args) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return kill(...args);
    };
    await Promise.all(Array.from({ length: 10 }, () => ctr.kill('SIGWINCH')));
    expect(most).toBe(1);
    expect(t.runtime.callsOf('kill')).toHaveLength(10);
  });
});

describe('listSynced (what ps shows)', () => {
  it('learns of exits from the runtime, filters on the synced state, and waits on no lock it does not need', async () => {
    const exited = await create(t, { name: 'gone' });
    await exited.start();
    t.runtime.exitProcess(exited.id, 3);
    const idle = await create(t, { name: 'idle' });
    // A long operation holds the idle container's lock: ps must not wait for it.
    const holder = t.locks.locker(idle.id);
    await holder.lock();
    try {
      const all = await t.engine.listSynced();
      expect(all.map((r) => [r.config.name, r.state.status, r.state.exitCode])).toEqual(
        expect.arrayContaining([
          ['gone', S.Stopped, 3],
          ['idle', S.Configured, null],
        ]),
      );
      expect((await t.engine.listSynced({ status: ['stopped'] })).map((r) => r.config.name)).toEqual(['gone']);
      await expect(t.engine.listSynced({ bogus: ['x'] })).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
    } finally {
      await holder.unlock();
    }
  });
});

describe('artifacts', () => {
  it('round-trips data and refuses names that are not one path component', async () => {
    const ctr = await create(t);
    await ctr.addArtifact('notes.txt', 'hello');
    expect((await ctr.getArtifact('notes.txt')).toString()).toBe('hello');
    await ctr.removeArtifact('notes.txt');
    await expect(ctr.getArtifact('notes.txt')).rejects.toMatchObject({ code: ErrorCode.NoSuchArtifact });
    for (const bad of ['', '.', '..', 'a/b', '../x', '/etc/passwd', 'a\0b', 'x'.repeat(256)]) {
      await expect(ctr.addArtifact(bad, 'x')).rejects.toMatchObject({ code: ErrorCode.InvalidArg });
    }
  });
});

describe('wait', () => {
  it('returns the exit code without polling, and after removal', async () => {
    const ctr = await create(t);
    await ctr.start();
    const waited = ctr.wait();
    setTimeout(() => t.runtime.exitProcess(ctr.id, 42), 30);
    expect(await waited).toBe(42);
    await ctr.remove({ force: true });
    expect(await ctr.wait()).toBe(42);
    expect(t.runtime.callsOf('state').length).toBeLessThan(10);
  });

  it('waits for a condition and honours an abort signal', async () => {
    const ctr = await create(t);
    const running = ctr.waitForCondition([S.Running], { intervalMs: 10 });
    await ctr.start();
    expect((await running).status).toBe(S.Running);
    const abort = new AbortController();
    const waiting = ctr.wait(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  });
});

describe('dependencies', () => {
  it('must be running; a recursive start starts them in graph order', async () => {
    const db = await create(t, { name: 'db' });
    const cache = await create(t, { name: 'cache', dependencies: ['db'] });
    const app = await create(t, { name: 'app', dependencies: ['cache', 'db'] });
    await expect(app.start()).rejects.toMatchObject({ code: ErrorCode.DependencyNotRunning });
    await app.start({ recursive: true });
    const starts = t.events.events.filter((e) => e.action === 'start').map((e) => e.name);
    expect(starts).toEqual(['db', 'cache', 'app']);
    await expect(db.remove({ force: true })).rejects.toMatchObject({ code: ErrorCode.DependencyInUse });
    expect((await cache.sync()).status).toBe(S.Running);
  });

  it('refuses a cycle', async () => {
    const a = await create(t, { name: 'a' });
    const b = await create(t, { name: 'b', dependencies: ['a'] });
    // A cycle cannot be created through the API; forge one in the store.
    const config = await t.store.containers.getConfig(a.id);
    const state = await t.store.containers.getState(a.id);
    await t.store.containers.remove(a.id);
    await t.store.containers.add({ ...config, dependencies: [b.id] }, state);
    await expect((await t.engine.container('b')).start({ recursive: true })).rejects.toMatchObject({
      code: ErrorCode.DependencyCycle,
    });
  });
});

describe('failures leave nothing half-done', () => {
  it('a runtime create failure rolls back the mount and leaves the container Configured', async () => {
    const ctr = await create(t);
    t.runtime.failNext('create');
    await expect(ctr.start()).rejects.toThrow(/injected create failure/);
    const state = await ctr.sync();
    expect(state.status).toBe(S.Configured);
    expect(t.rootfs.mountCount(ctr.id)).toBe(0);
    await ctr.start();
    expect((await ctr.sync()).status).toBe(S.Running);
  });

  it('conmon dying is seen by sync as a stop with a clear error', async () => {
    const ctr = await create(t);
    await ctr.start();
    t.runtime.killConmon(ctr.id);
    const state = await ctr.sync();
    expect(state.status).toBe(S.Stopped);
    expect(state.error).toMatch(/conmon/);
    const died = t.events.events.find((e) => e.action === 'died');
    expect(died?.error).toMatch(/conmon/);
  });

  it('remove --force stops, cleans and forgets everything', async () => {
    const ctr = await create(t);
    await ctr.start();
    await ctr.mount();
    await ctr.remove({ force: true, timeout: 0 });
    expect(await t.engine.exists(ctr.id)).toBe(false);
    expect(t.runtime.containers.has(ctr.id)).toBe(false);
    expect(actions().slice(-2)).toEqual(['cleanup', 'remove']);
  });
});

describe('refresh after a reboot', () => {
  it('resets running containers when the boot id changed', async () => {
    const ctr = await create(t);
    await ctr.start();
    const runRoot = join(t.root, 'run');
    await mkdir(runRoot, { recursive: true });
    expect((await readFile(join(runRoot, 'boot-id'), 'utf8')).trim()).toMatch(/^[0-9a-f-]{36}$/);
    await writeFile(join(runRoot, 'boot-id'), 'an-older-boot\n');
    // A new engine over the same stores sees the changed boot id.
    const again = await Engine.create({
      plugins: [
        valuePlugin('s', StateStore, t.store),
        valuePlugin('l', LockManager, t.locks),
        valuePlugin('e', EventBackend, t.events),
        valuePlugin('i', ImageStore, t.images),
        valuePlugin('r', RootfsStore, t.rootfs),
        valuePlugin('o', OciRuntime, t.runtime),
      ],
      root: join(t.root, 'lib'),
      runRoot,
      logger: silentLogger,
    });
    const state = await t.store.containers.getState(ctr.id);
    expect(state.status).toBe(S.Exited);
    expect(state.pid).toBe(0);
    expect(t.events.events.some((e) => e.type === 'system' && e.action === 'refresh')).toBe(true);
    await again.close();
  });
});
