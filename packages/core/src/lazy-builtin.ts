import { createRequire } from 'node:module';

/**
 * A module loaded on first call of the returned function, resolved from `from` (the
 * caller's import.meta.url). Some modules cost milliseconds to initialise (node:crypto
 * ~3, child_process ~2 over what stdout already loaded, a native addon's dlopen ~2),
 * which every CLI command would pay when a plugin imports them at its top level
 * although only some commands use them.
 */
export function lazyRequire<T>(from: string, id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(from)(id) as T);
}

/** A Node built-in loaded on first use (see lazyRequire). */
export function lazyBuiltin<T>(id: `node:${string}`): () => T {
  return lazyRequire<T>(import.meta.url, id);
}

/** node:stream/promises (~2 ms to load): only the operations that stream a tar use it. */
export const streamPromises = lazyBuiltin<typeof import('node:stream/promises')>('node:stream/promises');

/** node:child_process (~2 ms to load over what stdout already loaded): for commands that spawn. */
export const childProcess = lazyBuiltin<typeof import('node:child_process')>('node:child_process');
