import { ErrorCode, codeOf, type Container } from '@corral/core';
import type { ApiContext } from '../context.js';
import { noSuchContainer } from '../http/api-error.js';

/** The container by id, name or id prefix; Docker's 404 otherwise. */
export async function lookup(ctx: ApiContext, ref: string): Promise<Container> {
  try {
    return await ctx.engine.container(ref);
  } catch (err) {
    if (codeOf(err) === ErrorCode.NoSuchCtr) throw noSuchContainer(ref, err);
    throw err;
  }
}

/** The synced state, or 'removed' when the container went away meanwhile. */
export async function syncOrRemoved(ctr: Container) {
  try {
    return await ctr.sync();
  } catch (err) {
    const code = codeOf(err);
    if (code === ErrorCode.CtrRemoved || code === ErrorCode.NoSuchCtr) return 'removed' as const;
    throw err;
  }
}
