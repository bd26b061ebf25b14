import '../di.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { Logger } from '../contracts/logger.js';
import { tokenName, type Token } from '../contracts/token.js';
import { CorralError, ErrorCode, PluginError, PluginSkipError, describeError } from '../errors.js';
import { orderPlugins } from './order.js';
import type { Plugin, PluginContext } from './plugin.js';

export interface KernelOptions {
  plugins: readonly Plugin[];
  /** Config sections by plugin id. */
  config?: Record<string, unknown>;
  /** Persistent root (default /var/lib/corral); each plugin gets root/<plugin id>. */
  root: string;
  /** Transient root (default /run/corral); each plugin gets runRoot/<plugin id>. */
  runRoot: string;
  logger: Logger;
}

export interface SkippedPlugin {
  id: string;
  reason: string;
}

/**
 * The assembled set of plugins of one engine: its own child container, the plugins
 * started in dependency order, and those that skipped themselves.
 */
export class Kernel {
  private constructor(
    readonly container: DependencyContainer,
    private readonly started: { plugin: Plugin; ctx: PluginContext }[],
    readonly skipped: readonly SkippedPlugin[],
    private readonly unavailable: ReadonlySet<symbol>,
    private readonly logger: Logger,
  ) {}

  static async assemble(options: KernelOptions): Promise<Kernel> {
    const builtIn = [Logger] as Token<unknown>[];
    const ordered = orderPlugins(options.plugins, builtIn);
    const container = rootContainer.createChildContainer();
    container.register(Logger, { useValue: options.logger });

    const contexts = new Map<Plugin, PluginContext>();
    for (const plugin of ordered) {
      const ctx: PluginContext = {
        container,
        config: (options.config?.[plugin.id] ?? {}) as Record<string, unknown>,
        stateDir: join(options.root, plugin.id),
        runDir: join(options.runRoot, plugin.id),
        root: options.root,
        runRoot: options.runRoot,
        logger: options.logger.child({ plugin: plugin.id }),
      };
      contexts.set(plugin, ctx);
      plugin.register(ctx);
    }

    const started: { plugin: Plugin; ctx: PluginContext }[] = [];
    const skipped: SkippedPlugin[] = [];
    const unavailable = new Set<symbol>();
    const kernel = new Kernel(container, started, skipped, unavailable, options.logger);
    for (const plugin of ordered) {
      const ctx = contexts.get(plugin)!;
      const lost = (plugin.requires ?? []).find((t) => unavailable.has(t));
      let reason: string | undefined;
      if (lost) {
        reason = `it requires ${tokenName(lost)}, which is unavailable`;
      } else {
        try {
          // Synchronous: each is one syscall (EEXIST on every start but the first), and a
          // round trip through libuv's thread pool costs more than the call.
          mkdirSync(ctx.stateDir, { recursive: true, mode: 0o700 });
          mkdirSync(ctx.runDir, { recursive: true, mode: 0o700 });
          const began = process.hrtime.bigint();
          await plugin.start?.(ctx);
          ctx.logger.debug({ ms: Number((process.hrtime.bigint() - began) / 100_000n) / 10 }, 'plugin started');
          started.push({ plugin, ctx });
          continue;
        } catch (err) {
          if (!(err instanceof PluginSkipError)) {
            await kernel.stop();
            throw new PluginError(ErrorCode.Internal, `plugin "${plugin.id}" failed to start: ${describeError(err)}`, {
              cause: err,
            });
          }
          reason = err.message;
        }
      }
      skipped.push({ id: plugin.id, reason });
      ctx.logger.info({ reason }, 'plugin skipped itself');
      for (const t of plugin.provides) {
        unavailable.add(t);
        const message = `contract ${tokenName(t)} is unavailable: plugin "${plugin.id}" skipped itself (${reason})`;
        container.register(t, {
          useFactory: () => {
            throw new PluginSkipError(message);
          },
        });
      }
    }
    return kernel;
  }

  /** True when some started plugin provides the contract (or the kernel does). */
  has(t: Token<unknown>): boolean {
    return !this.unavailable.has(t) && this.container.isRegistered(t, true);
  }

  get<T>(t: Token<T>): T {
    if (!this.container.isRegistered(t, true)) {
      throw new PluginError(ErrorCode.MissingContract, `no plugin provides ${tokenName(t)}`);
    }
    return this.container.resolve<T>(t);
  }

  /** Stops started plugins in reverse order; every plugin is asked even when one fails. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    while (this.started.length > 0) {
      const { plugin, ctx } = this.started.pop()!;
      try {
        await plugin.stop?.(ctx);
      } catch (err) {
        this.logger.error({ plugin: plugin.id, err }, 'plugin failed to stop');
        errors.push(err);
      }
    }
    if (errors.length > 0) {
      throw new CorralError(ErrorCode.Internal, `${errors.length} plugin(s) failed to stop: ${errors.map(describeError).join('; ')}`, {
        cause: errors[0],
      });
    }
  }
}
