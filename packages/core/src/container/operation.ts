import { SpanStatusCode } from '@opentelemetry/api';
import { describeError } from '../errors.js';
import { checkTransition, type Operation, type Outcome } from '../transitions.js';
import type { ContainerHandle } from './handle.js';
import { syncState } from './sync.js';

export interface OperationScope {
  /** True while a Batch holds the container's lock: operations must not take it again. */
  readonly lockHeld: boolean;
}

/**
 * Every container operation runs through here: a tracing span, the container's lock,
 * a sync, the transition table's check, then the action. The action saves the state
 * and emits its event itself (it knows when it has changed something).
 */
export async function runOperation<T>(
  h: ContainerHandle,
  scope: OperationScope,
  op: Operation | 'wait' | 'sync' | 'inspect',
  action: (outcome: Outcome | undefined) => Promise<T>,
  options: { force?: boolean | ((h: ContainerHandle) => boolean) } = {},
): Promise<T> {
  return h.services.tracer.startActiveSpan(`container.${op}`, async (span) => {
    span.setAttribute('container.id', h.config.id);
    span.setAttribute('container.name', h.config.name);
    const locker = h.services.locks.locker(h.config.id);
    if (!scope.lockHeld) await locker.lock();
    try {
      await syncState(h);
      const force = typeof options.force === 'function' ? options.force(h) : options.force;
      const outcome = isTableOperation(op) ? checkTransition(op, h.state.status, h.config, { force: force ?? false }) : undefined;
      const result = await action(outcome);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(err) });
      throw err;
    } finally {
      if (!scope.lockHeld) await locker.unlock();
      span.end();
    }
  });
}

/** Runs `fn` under the container's lock unless the scope already holds it. */
export async function withLock<T>(h: ContainerHandle, scope: OperationScope, fn: () => Promise<T>): Promise<T> {
  if (scope.lockHeld) return fn();
  const locker = h.services.locks.locker(h.config.id);
  await locker.lock();
  try {
    return await fn();
  } finally {
    await locker.unlock();
  }
}

function isTableOperation(op: string): op is Operation {
  return op !== 'wait' && op !== 'sync' && op !== 'inspect';
}
