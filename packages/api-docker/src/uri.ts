import { InvalidArgumentError } from '@corral/core';

export const DEFAULT_URI = 'unix:///run/corral/corral.sock';

/** The socket path of a `unix://` URI (the only kind this service listens on). */
export function socketPathOf(uri: string): string {
  const m = /^unix:\/\/(\/.+)$/.exec(uri);
  if (!m) throw new InvalidArgumentError(`invalid service URI ${JSON.stringify(uri)}: expected unix:///absolute/path.sock`);
  return m[1]!;
}
