import type { Engine } from '@corral/core';
import type { ConfigOverrides } from '@corral/distro';

/** What every command gets: the global flags and a lazily opened engine. */
export interface CliContext {
  readonly globals: ConfigOverrides & { logLevel?: string };
  /** Opens the engine on first use (plugins start then), the same one after. */
  engine(): Promise<Engine>;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

export interface CommandModule {
  /** One line: "run [options] IMAGE [COMMAND [ARG...]]". */
  readonly usage: string;
  readonly options: import('./args.js').OptionSpec;
  /** Options end at the first positional (run, exec, create). */
  readonly stopAtPositional?: boolean;
  run(ctx: CliContext, args: import('./args.js').Parsed): Promise<number>;
}
