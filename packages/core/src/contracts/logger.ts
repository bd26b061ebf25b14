import { token } from './token.js';

type LogFn = {
  (message: string): void;
  (bindings: object, message?: string): void;
};

/** The subset of pino's logger the engine uses; a pino logger is one. */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
export const Logger = token<Logger>('corral.logger.v1');

const drop = (): void => {};

/** A logger that drops everything: for library use without one, and for tests. */
export const silentLogger: Logger = {
  child: () => silentLogger,
  trace: drop,
  debug: drop,
  info: drop,
  warn: drop,
  error: drop,
};
