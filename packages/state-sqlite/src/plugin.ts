import { join } from 'node:path';
import {
  ErrorCode,
  InvalidArgumentError,
  PluginError,
  StateStore,
  definePlugin,
  type Plugin,
  type PluginContext,
} from '@corral/core';
import { SqliteStateStore } from './store.js';

export interface StateSqliteConfig {
  /** The database file; default `<stateDir>/state.db` (under the engine root). */
  path?: string;
}

/**
 * A `state-sqlite` plugin value. It may serve several engines in one process: each
 * engine (told apart by its own container, which start and stop both get) has its
 * own connection.
 */
export function createStateSqlitePlugin(): Plugin<StateSqliteConfig> {
  const stores = new WeakMap<PluginContext['container'], SqliteStateStore>();
  return definePlugin<StateSqliteConfig>({
    id: 'state-sqlite',
    provides: [StateStore],
    register(ctx) {
      ctx.container.register(StateStore, {
        useFactory: () => {
          const store = stores.get(ctx.container);
          if (!store) throw new PluginError(ErrorCode.Internal, 'state-sqlite: the state store was used before the plugin started');
          return store;
        },
      });
    },
    async start(ctx) {
      const { path } = ctx.config;
      if (path !== undefined && (typeof path !== 'string' || path === '')) {
        throw new InvalidArgumentError(`state-sqlite: "path" must be a non-empty string, not ${JSON.stringify(path)}`);
      }
      const store = await SqliteStateStore.open({ path: path ?? join(ctx.stateDir, 'state.db'), logger: ctx.logger });
      stores.set(ctx.container, store);
      ctx.logger.debug({ path: store.path }, 'state database open');
    },
    async stop(ctx) {
      stores.get(ctx.container)?.close();
      stores.delete(ctx.container);
    },
  });
}

/** The plugin value; it can be shared by several engines. */
export const stateSqlitePlugin = createStateSqlitePlugin();
