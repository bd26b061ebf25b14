import { ErrorCode, InvalidArgumentError, describeError, hasCode, type Container, type Engine } from '@corral/core';
import type { CliContext } from '../context.js';

/**
 * Runs `action` on each named container (or all of them), printing each name as
 * podman does and each failure as an error; the exit code is 125 if any failed.
 */
export async function forEachContainer(
  ctx: CliContext,
  names: string[],
  options: {
    all?: boolean;
    ignoreMissing?: boolean;
    /** The exit code when every failure was a missing container (podman's rm uses 1). */
    missingExit?: number;
    print?: (name: string, ctr: Container) => string;
  },
  action: (ctr: Container, engine: Engine) => Promise<void>,
): Promise<number> {
  const engine = await ctx.engine();
  if (options.all && names.length > 0) throw new InvalidArgumentError('--all and container names cannot be used together');
  if (!options.all && names.length === 0) throw new InvalidArgumentError('at least one container name or id must be given');
  const targets = options.all ? (await engine.list()).map((r) => r.config.id) : names;
  let failed = 0;
  let missing = 0;
  for (const name of targets) {
    try {
      const ctr = await engine.container(name);
      await action(ctr, engine);
      ctx.stdout.write(`${options.print ? options.print(name, ctr) : name}\n`);
    } catch (err) {
      const isMissing = hasCode(err, ErrorCode.NoSuchCtr);
      if (options.ignoreMissing && isMissing) continue;
      failed++;
      if (isMissing) missing++;
      ctx.stderr.write(`Error: ${describeError(err)}\n`);
    }
  }
  if (failed === 0) return 0;
  return failed === missing && options.missingExit !== undefined ? options.missingExit : 125;
}
