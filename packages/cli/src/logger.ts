import { createRequire } from 'node:module';
import type { Logger } from '@corral/core';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * The CLI's logger: pino, created on the first message at an enabled level. At the
 * default level (warn) most commands log nothing, and initialising pino (sonic-boom,
 * thread-stream, worker_threads, assert) costs a few ms of every start.
 */
export function lazyPino(level: string): Logger {
  const make = (): Logger => {
    const pino = createRequire(import.meta.url)('pino') as typeof import('pino').pino;
    // Synchronous writes: a command is short, and an asynchronous destination would
    // flush (and fsync stderr) at every exit.
    return pino({ level }, pino.destination({ dest: 2, sync: true }));
  };
  const threshold = LEVELS[level];
  if (threshold === undefined) return make(); // pino reports the unknown level
  return new LazyLogger(threshold, make);
}

type Args = [bindings: object | string, message?: string];

class LazyLogger implements Logger {
  #real: Logger | undefined;
  constructor(
    private readonly threshold: number,
    private readonly make: () => Logger,
  ) {}
  #get(): Logger {
    return (this.#real ??= this.make());
  }
  child(bindings: Record<string, unknown>): Logger {
    return new LazyLogger(this.threshold, () => this.#get().child(bindings));
  }
  trace = (...args: Args) => this.#log(10, 'trace', args);
  debug = (...args: Args) => this.#log(20, 'debug', args);
  info = (...args: Args) => this.#log(30, 'info', args);
  warn = (...args: Args) => this.#log(40, 'warn', args);
  error = (...args: Args) => this.#log(50, 'error', args);
  #log(level: number, name: 'trace' | 'debug' | 'info' | 'warn' | 'error', args: Args): void {
    if (level >= this.threshold) (this.#get()[name] as (...a: Args) => void)(...args);
  }
}
