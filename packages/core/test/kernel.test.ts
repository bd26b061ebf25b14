import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Engine,
  ErrorCode,
  EventBackend,
  ImageStore,
  Kernel,
  LockManager,
  OciRuntime,
  PluginSkipError,
  RootfsStore,
  StateStore,
  definePlugin,
  orderPlugins,
  token,
  silentLogger,
  type Plugin,
} from '@corral/core';
import { MemoryEventBackend, createTestEngine } from '@corral/testkit';

const A = token<{ a: number }>('test.a.v1');
const B = token<{ b: number }>('test.b.v1');
const C = token<{ c: number }>('test.c.v1');
const logger = silentLogger;

function plugin(id: string, provides: symbol[], requires: symbol[] = [], extra: Partial<Plugin> = {}): Plugin {
  return definePlugin({
    id,
    provides,
    requires,
    register: (ctx) => provides.forEach((t) => ctx.container.register(t, { useValue: { id, config: ctx.config } })),
    ...extra,
  });
}

async function roots() {
  const dir = await mkdtemp(join(tmpdir(), 'corral-kernel-'));
  return { root: join(dir, 'lib'), runRoot: join(dir, 'run'), dispose: () => rm(dir, { recursive: true, force: true }) };
}

describe('plugin kernel', () => {
  it('orders plugins by what they provide and require', () => {
    const order = orderPlugins([plugin('c', [C], [B]), plugin('b', [B], [A]), plugin('a', [A])]);
    expect(order.map((p) => p.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects two providers of one contract, naming both', () => {
    expect(() => orderPlugins([plugin('one', [A]), plugin('two', [A])])).toThrow(/test\.a\.v1.*"one".*"two"/);
  });

  it('names every missing contract in one error', () => {
    let err: unknown;
    try {
      orderPlugins([plugin('x', [], [A, B]), plugin('y', [], [C])]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: ErrorCode.MissingContract });
    const msg = (err as Error).message;
    expect(msg).toContain('test.a.v1 (required by x)');
    expect(msg).toContain('test.b.v1 (required by x)');
    expect(msg).toContain('test.c.v1 (required by y)');
  });

  it('refuses a cycle', () => {
    expect(() => orderPlugins([plugin('p', [A], [B]), plugin('q', [B], [A])])).toThrow(/cycle/);
  });

  it('an engine without its contracts names all of them at once', async () => {
    const r = await roots();
    const err = await Engine.create({ plugins: [], ...r, logger }).catch((e) => e);
    expect(err.code).toBe(ErrorCode.MissingContract);
    for (const t of [StateStore, LockManager, OciRuntime, ImageStore, RootfsStore]) {
      expect(err.message).toContain(Symbol.keyFor(t));
    }
    await r.dispose();
  });

  it('hands each plugin its config section and its own directories', async () => {
    const r = await roots();
    const seen: Record<string, unknown> = {};
    const p = plugin('p', [A], [], {
      async start(ctx) {
        seen.config = ctx.config;
        seen.stateDir = ctx.stateDir;
        seen.runDir = ctx.runDir;
      },
    });
    const kernel = await Kernel.assemble({ plugins: [p], config: { p: { answer: 42 }, other: { no: 1 } }, ...r, logger });
    expect(seen.config).toEqual({ answer: 42 });
    expect(seen.stateDir).toBe(join(r.root, 'p'));
    expect(seen.runDir).toBe(join(r.runRoot, 'p'));
    expect((await stat(seen.stateDir as string)).isDirectory()).toBe(true);
    await kernel.stop();
    await r.dispose();
  });

  it('lets a plugin skip itself with a reason; what needs it is skipped too', async () => {
    const r = await roots();
    const started: string[] = [];
    const kernel = await Kernel.assemble({
      plugins: [
        plugin('criu', [A], [], {
          async start() {
            throw new PluginSkipError('criu not found');
          },
        }),
        plugin('needs-a', [B], [A], { start: async () => void started.push('needs-a') }),
        plugin('other', [C], [], { start: async () => void started.push('other') }),
      ],
      ...r,
      logger,
    });
    expect(kernel.skipped).toEqual([
      { id: 'criu', reason: 'criu not found' },
      { id: 'needs-a', reason: 'it requires test.a.v1, which is unavailable' },
    ]);
    expect(started).toEqual(['other']);
    expect(kernel.has(A)).toBe(false);
    expect(kernel.has(C)).toBe(true);
    expect(() => kernel.get(A)).toThrow(/skipped itself \(criu not found\)/);
    await kernel.stop();
    await r.dispose();
  });

  it('stops plugins in reverse order, all of them even when one fails', async () => {
    const r = await roots();
    const stopped: string[] = [];
    const kernel = await Kernel.assemble({
      plugins: [
        plugin('b', [B], [A], { stop: async () => void stopped.push('b') }),
        plugin('a', [A], [], { stop: async () => void stopped.push('a') }),
        plugin('c', [C], [B], {
          stop: async () => {
            stopped.push('c');
            throw new Error('boom');
          },
        }),
      ],
      ...r,
      logger,
    });
    await expect(kernel.stop()).rejects.toThrow(/boom/);
    expect(stopped).toEqual(['c', 'b', 'a']);
    await r.dispose();
  });

  it('a failing start stops what already started and names the plugin', async () => {
    const r = await roots();
    const stopped: string[] = [];
    const err = await Kernel.assemble({
      plugins: [
        plugin('a', [A], [], { stop: async () => void stopped.push('a') }),
        plugin('bad', [B], [A], {
          async start() {
            throw new Error('cannot open');
          },
        }),
      ],
      ...r,
      logger,
    }).catch((e) => e);
    expect(err.message).toMatch(/plugin "bad" failed to start: cannot open/);
    expect(stopped).toEqual(['a']);
    await r.dispose();
  });

  it('two engines in one process share nothing', async () => {
    const one = await createTestEngine();
    const two = await createTestEngine();
    const e1 = one.engine.kernel.get(EventBackend);
    const e2 = two.engine.kernel.get(EventBackend);
    expect(e1).toBeInstanceOf(MemoryEventBackend);
    expect(e1).not.toBe(e2);
    await one.engine.createContainer({ image: 'test', name: 'same' });
    await two.engine.createContainer({ image: 'test', name: 'same' });
    expect((await one.engine.list()).length).toBe(1);
    expect((await two.engine.list()).length).toBe(1);
    await one.dispose();
    await two.dispose();
  });
});
