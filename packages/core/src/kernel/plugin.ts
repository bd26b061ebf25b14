import type { DependencyContainer } from 'tsyringe';
import type { Logger } from '../contracts/logger.js';
import type { Token } from '../contracts/token.js';

/** What the kernel hands a plugin: its own config section and directories. */
export interface PluginContext<C = Record<string, unknown>> {
  /** The engine's own child container: register implementations here, nowhere else. */
  readonly container: DependencyContainer;
  /** The plugin's section of the engine config (`config[plugin.id]`), or {}. */
  readonly config: C;
  /** A persistent directory of the plugin's own, under the engine root; created. */
  readonly stateDir: string;
  /** A transient directory of the plugin's own, under the run root; created. */
  readonly runDir: string;
  readonly root: string;
  readonly runRoot: string;
  readonly logger: Logger;
}

/**
 * A plugin is a value. `register` only binds implementations into the container;
 * `start` does async set-up and may throw PluginSkipError with a reason.
 */
export interface Plugin<C = any> {
  readonly id: string;
  readonly provides: readonly Token<unknown>[];
  /** Contracts that must be provided by some other plugin. */
  readonly requires?: readonly Token<unknown>[];
  /** Contracts used when present: they order start-up but are not required. */
  readonly optional?: readonly Token<unknown>[];
  register(ctx: PluginContext<C>): void;
  start?(ctx: PluginContext<C>): Promise<void>;
  /** Gets the same context as start, so one plugin value can tell its engines apart. */
  stop?(ctx: PluginContext<C>): Promise<void>;
}

/** Helps type a plugin literal. */
export function definePlugin<C = Record<string, unknown>>(plugin: Plugin<C>): Plugin<C> {
  return plugin;
}
