import path from 'node:path';
import { EventBackend, definePlugin, type Plugin } from '@corral/core';
import { SqliteEventBackend } from './sqlite-event-backend.js';

export interface EventsSqliteConfig {
  /** Default `<stateDir>/events.db`: events outlive reboots here, unlike the file log. */
  path?: string;
  maxEvents?: number;
  maxAgeSeconds?: number;
}

/**
 * A fresh plugin value. Plugin.stop() gets no context, so the value itself remembers
 * the database it opened: give each engine in a process its own value.
 */
export function createEventsSqlitePlugin(): Plugin<EventsSqliteConfig> {
  let backend: SqliteEventBackend | undefined;
  return definePlugin<EventsSqliteConfig>({
    id: 'events-sqlite',
    provides: [EventBackend],
    register(ctx) {
      backend = new SqliteEventBackend({
        path: ctx.config.path ?? path.join(ctx.stateDir, 'events.db'),
        maxEvents: ctx.config.maxEvents,
        maxAgeSeconds: ctx.config.maxAgeSeconds,
        logger: ctx.logger,
      });
      ctx.container.register(EventBackend, { useValue: backend });
    },
    async stop() {
      backend?.close();
      backend = undefined;
    },
  });
}

/** The plugin for a single engine; see createEventsSqlitePlugin for several. */
export const eventsSqlitePlugin = createEventsSqlitePlugin();
