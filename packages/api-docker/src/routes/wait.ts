import { CancelledError, ContainerStatus as S, ErrorCode, codeOf, isActive, type Container, type ContainerState } from '@corral/core';
import type { ApiContext } from '../context.js';
import { ApiError } from '../http/api-error.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
const CONDITIONS: readonly string[] = ['not-running', 'next-exit', 'removed'];
const POLL_MS = 250;
/** The engine-error exit code, for a container removed before it ever exited. */
const NEVER_RAN = 125;

export function parseCondition(value: string | null): WaitCondition {
  if (value === null || value === '') return 'not-running';
  if (!CONDITIONS.includes(value)) {
    throw new ApiError(400, `invalid condition ${JSON.stringify(value)}: use not-running, next-exit or removed`);
  }
  return value as WaitCondition;
}

/**
 * Docker's wait conditions on corral's container API. `next-exit` and `removed` are
 * usually asked for before the container starts (`docker run` waits, then starts):
 * they first wait for a start (a new StartedAt), then for the exit, then, for
 * `removed`, for the container to be gone.
 */
export async function waitFor(ctx: ApiContext, ctr: Container, condition: WaitCondition, signal: AbortSignal): Promise<number> {
  if (condition !== 'not-running') await waitForStart(ctx, ctr, signal);
  let code: number;
  try {
    code = await ctr.wait(signal);
  } catch (err) {
    // Removed without ever running (a failed start with AutoRemove): what was awaited happened.
    if (condition === 'removed' && codeOf(err) === ErrorCode.NoSuchCtr) return NEVER_RAN;
    throw err;
  }
  if (condition === 'removed') {
    while (await ctx.engine.exists(ctr.id)) {
      await ctx.lifecycle.next(ctr.id, POLL_MS, signal);
      if (signal.aborted) throw new CancelledError('wait cancelled');
    }
  }
  return code;
}

async function waitForStart(ctx: ApiContext, ctr: Container, signal: AbortSignal): Promise<void> {
  const first = await storedState(ctx, ctr.id);
  if (first === undefined || isActive(first.status)) return;
  for (;;) {
    await ctx.lifecycle.next(ctr.id, POLL_MS, signal);
    if (signal.aborted) throw new CancelledError('wait cancelled');
    const now = await storedState(ctx, ctr.id);
    if (now === undefined || isActive(now.status) || now.startedAt !== first.startedAt) return;
    if (now.status === S.Stopped && first.status !== S.Stopped) return;
  }
}

/** The state as stored (no lock taken: this runs in a loop); undefined once removed. */
async function storedState(ctx: ApiContext, id: string): Promise<ContainerState | undefined> {
  try {
    return await ctx.engine.store.containers.getState(id);
  } catch (err) {
    if (codeOf(err) === ErrorCode.NoSuchCtr) return undefined;
    throw err;
  }
}
