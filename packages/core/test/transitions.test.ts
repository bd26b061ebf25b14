import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { ALL_STATUSES, ContainerStatus as S, CorralError, ErrorCode, OPERATIONS, TRANSITIONS, type Container, type Operation } from '@corral/core';
import type { TestEngine } from '@corral/testkit';
import { containerIn, fakeCheckpointImages, sink, testEngine } from './helpers.js';

/** Invokes `op` on the container the way a caller would, with harmless arguments. */
async function invoke(t: TestEngine, ctr: Container, op: Operation, force = false): Promise<void> {
  switch (op) {
    case 'init':
      return ctr.init();
    case 'start':
      return ctr.start();
    case 'stop':
      return ctr.stop(0);
    case 'kill':
      return ctr.kill('SIGWINCH'); // not terminating: the state must stay as it was
    case 'pause':
      return ctr.pause();
    case 'unpause':
      return ctr.unpause();
    case 'restart':
      return ctr.restart(0);
    case 'attach': {
      // An allowed attach lasts until the process ends or the caller detaches.
      const detach = new AbortController();
      setTimeout(() => detach.abort(), 20);
      expect(await ctr.attach({ stdout: sink() }, { signal: detach.signal })).toEqual({ reason: 'detached' });
      return;
    }
    case 'exec':
      expect(await ctr.exec({ command: ['exit', '0'] }, { stdout: sink() })).toBe(0);
      return;
    case 'resize':
      return ctr.attachResize({ width: 80, height: 24 });
    case 'checkpoint':
      return ctr.checkpoint();
    case 'restore':
      await fakeCheckpointImages(t, ctr);
      return ctr.restore();
    case 'cleanup':
      return ctr.cleanup();
    case 'remove':
      return ctr.remove({ force });
    case 'mount':
      await ctr.mount();
      return;
    case 'unmount':
      return ctr.unmount(force);
    case 'export': {
      const out = new PassThrough();
      out.resume();
      return ctr.export(out);
    }
  }
}

describe('the transition table drives every operation from every state', () => {
  let t: TestEngine;
  beforeEach(async () => {
    t = await testEngine();
  });
  afterEach(async () => {
    await t.dispose();
  });

  for (const op of OPERATIONS) {
    for (const status of ALL_STATUSES) {
      const outcome = TRANSITIONS[op][status];
      const title = outcome.allowed
        ? `${op} from ${status} is allowed and leaves ${outcome.to.join(' or ')}`
        : `${op} from ${status} is refused with ${outcome.code}`;
      it(title, async () => {
        const ctr = await containerIn(t, status);
        expect((await t.store.containers.getState(ctr.id)).status).toBe(status);
        if (!outcome.allowed) {
          const err = await invoke(t, ctr, op).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(CorralError);
          expect((err as CorralError).code).toBe(outcome.code);
          expect((err as Error).message).toContain(ctr.name);
          expect((await t.store.containers.getState(ctr.id)).status).toBe(status);
          if (!outcome.forceable) return;
        }
        await invoke(t, ctr, op, true);
        if (op === 'remove') {
          await expect(t.engine.container(ctr.id)).rejects.toMatchObject({ code: ErrorCode.NoSuchCtr });
          return;
        }
        const after = (await ctr.sync()).status;
        const expected = outcome.allowed ? outcome.to.map((s) => (s === 'same' ? status : s)) : [status];
        if (!outcome.allowed) {
          // A forced unmount leaves the state alone.
          expect(after).toBe(status);
        } else {
          expect(expected).toContain(after);
        }
      });
    }
  }

  it('covers every operation in every state', () => {
    for (const op of OPERATIONS) expect(Object.keys(TRANSITIONS[op]).sort()).toEqual([...ALL_STATUSES].sort());
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(17);
    expect(S.Configured).toBe('configured');
  });
});
