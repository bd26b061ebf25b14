export { createStateSqlitePlugin, stateSqlitePlugin, type StateSqliteConfig } from './plugin.js';
export { SqliteStateStore } from './store.js';
export { StateDatabase, type StateDatabaseOptions } from './database.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export { EXIT_CODE_TTL_MS } from './exit-codes.js';
