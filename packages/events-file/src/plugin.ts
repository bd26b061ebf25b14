import path from 'node:path';
import { EventBackend, definePlugin, type Plugin } from '@corral/core';
import { FileEventBackend } from './file-event-backend.js';

export interface EventsFileConfig {
  /** Default `<runDir>/events.log`: events are transient, like podman's run-root log. */
  path?: string;
  /** Bytes before a rotation keeps the newest half; default 1 MiB. */
  maxSize?: number;
}

/**
 * A fresh plugin value. Plugin.stop() gets no context, so the value itself remembers
 * the backend it made: give each engine in a process its own value.
 */
export function createEventsFilePlugin(): Plugin<EventsFileConfig> {
  let backend: FileEventBackend | undefined;
  return definePlugin<EventsFileConfig>({
    id: 'events-file',
    provides: [EventBackend],
    register(ctx) {
      backend = new FileEventBackend({
        path: ctx.config.path ?? path.join(ctx.runDir, 'events.log'),
        maxSize: ctx.config.maxSize,
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

/** The plugin for a single engine; see createEventsFilePlugin for several. */
export const eventsFilePlugin = createEventsFilePlugin();
