export {
  SqliteEventBackend,
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_AGE_SECONDS,
  type SqliteEventBackendOptions,
} from './sqlite-event-backend.js';
export { createEventsSqlitePlugin, eventsSqlitePlugin, type EventsSqliteConfig } from './plugin.js';
