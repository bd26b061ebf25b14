import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/**
 * A Node built-in loaded on first call of the returned function. Some built-ins cost
 * milliseconds to initialise (node:crypto ~3, child_process ~2 over what stdout already
 * loaded), which every CLI command would pay when a plugin imports them at its top
 * level although only some commands use them.
 */
export function lazyBuiltin<T>(id: `node:${string}`): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireBuiltin(id) as T);
}
