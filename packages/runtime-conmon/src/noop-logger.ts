import type { Logger } from '@corral/core';

const noop = () => {};

/** For library use without a logger. */
export const noopLogger: Logger = {
  child: () => noopLogger,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};
