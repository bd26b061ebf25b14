import { randomBytes } from '../crypto.js';
import { ContainerStateError, CorralError, ErrorCode, InvalidArgumentError, NotFoundError, hasCode } from '../errors.js';
import type { ExecConfig, ExecSession } from '../types/exec.js';
import { ExitCodes } from '../types/exec.js';
import type { AttachStreams, TerminalSize } from '../types/streams.js';
import { emitContainerEvent } from './events.js';
import type { ContainerHandle } from './handle.js';

export function newExecConfig(partial: Partial<ExecConfig> & { command: string[] }): ExecConfig {
  if (!Array.isArray(partial.command) || partial.command.length === 0 || partial.command.some((a) => typeof a !== 'string')) {
    throw new InvalidArgumentError('an exec session needs a command: a non-empty list of strings');
  }
  return {
    command: partial.command,
    env: partial.env ?? [],
    workingDir: partial.workingDir ?? '',
    user: partial.user ?? '',
    terminal: partial.terminal ?? false,
    attachStdin: partial.attachStdin ?? false,
    attachStdout: partial.attachStdout ?? true,
    attachStderr: partial.attachStderr ?? true,
    privileged: partial.privileged ?? false,
    detachKeys: partial.detachKeys ?? '',
  };
}

/** Create with the lock held, the container Running (the table checked it). */
export async function execCreateLocked(h: ContainerHandle, config: ExecConfig): Promise<string> {
  const session: ExecSession = {
    id: randomBytes(32).toString('hex'),
    containerId: h.config.id,
    config,
    status: 'created',
    pid: 0,
    exitCode: null,
    createdAt: new Date().toISOString(),
  };
  await h.services.store.execSessions.add(session);
  return session.id;
}

/** The session, checked to belong to this container. */
export async function getSession(h: ContainerHandle, sessionId: string): Promise<ExecSession> {
  let session: ExecSession;
  try {
    session = await h.services.store.execSessions.get(sessionId);
  } catch (err) {
    if (hasCode(err, ErrorCode.NoSuchExecSession)) throw err;
    throw new NotFoundError(ErrorCode.NoSuchExecSession, `no such exec session: ${sessionId}`, { cause: err });
  }
  if (session.containerId !== h.config.id) {
    throw new NotFoundError(ErrorCode.NoSuchExecSession, `no exec session ${sessionId} in container ${h.config.name}`);
  }
  return session;
}

function requireStatus(h: ContainerHandle, session: ExecSession, allowed: ExecSession['status'][], verb: string): void {
  if (!allowed.includes(session.status)) {
    throw new ContainerStateError(
      ErrorCode.ExecSessionStateInvalid,
      `cannot ${verb} exec session ${session.id.slice(0, 12)} of container ${h.config.name}: it is ${session.status}`,
      { details: { session: session.id, state: session.status } },
    );
  }
}

/**
 * Starts a session. With streams, resolves once the process has exited, with its exit
 * code recorded first; without, resolves once it is running (detached).
 */
export async function execStartLocked(
  h: ContainerHandle,
  sessionId: string,
  streams: AttachStreams | null,
): Promise<{ session: ExecSession; exited?: Promise<number> }> {
  const session = await getSession(h, sessionId);
  requireStatus(h, session, ['created'], 'start');
  let started;
  try {
    started = await h.services.runtime.exec(h.config.id, session.id, session.config, streams);
  } catch (err) {
    const code = invokeFailureCode(err);
    if (code === undefined) throw err;
    // Nothing ran: record the 126/127 as the session's exit, as podman does.
    const ended = { ...session, status: 'stopped' as const, exitCode: code };
    await h.services.store.execSessions.save(ended);
    await emitContainerEvent(h.services, h.config, 'exec_died', { exitCode: code, attributes: { execID: session.id } });
    return { session: ended, exited: Promise.resolve(code) };
  }
  const running: ExecSession = { ...session, status: 'running', pid: started.pid };
  await h.services.store.execSessions.save(running);
  await emitContainerEvent(h.services, h.config, 'exec', {
    attributes: { execID: session.id, command: session.config.command.join(' ') },
  });
  return started.exited ? { session: running, exited: started.exited } : { session: running };
}

/** Records a session's end (exit code first) and its exec_died event. */
export async function recordExecExit(h: ContainerHandle, sessionId: string, exitCode: number): Promise<void> {
  const session = await getSession(h, sessionId);
  await h.services.store.execSessions.save({ ...session, status: 'stopped', pid: 0, exitCode });
  await emitContainerEvent(h.services, h.config, 'exec_died', { exitCode, attributes: { execID: sessionId } });
}

/** A detached session's current view: asks the runtime whether it has ended. */
export async function inspectSession(h: ContainerHandle, sessionId: string): Promise<ExecSession> {
  const session = await getSession(h, sessionId);
  if (session.status !== 'running') return session;
  const code = await h.services.runtime.execExitCode(h.config.id, sessionId);
  if (code === undefined) return session;
  await recordExecExit(h, sessionId, code);
  return getSession(h, sessionId);
}

export async function execRemoveLocked(h: ContainerHandle, sessionId: string, force: boolean): Promise<void> {
  const session = await inspectSession(h, sessionId);
  if (session.status === 'running' && !force) {
    requireStatus(h, session, ['created', 'stopped'], 'remove');
  }
  if (session.status === 'running' && session.pid > 0) killQuietly(session.pid, 9);
  await h.services.runtime.execCleanup(h.config.id, sessionId);
  await h.services.store.execSessions.remove(sessionId);
}

export async function execStopLocked(h: ContainerHandle, sessionId: string, timeoutSec: number): Promise<void> {
  const session = await inspectSession(h, sessionId);
  requireStatus(h, session, ['running'], 'stop');
  killQuietly(session.pid, 15);
  const deadline = Date.now() + timeoutSec * 1000;
  while (Date.now() < deadline && isAlive(session.pid)) await sleep(50);
  if (isAlive(session.pid)) killQuietly(session.pid, 9);
}

export async function execResize(h: ContainerHandle, sessionId: string, size: TerminalSize): Promise<void> {
  const session = await getSession(h, sessionId);
  requireStatus(h, session, ['running'], 'resize');
  await h.services.runtime.execResize(h.config.id, sessionId, size);
}

/** 126/127 when the runtime says the command could not be invoked or was not found. */
export function invokeFailureCode(err: unknown): number | undefined {
  if (hasCode(err, ErrorCode.ExecNotFound)) return ExitCodes.NotFound;
  if (hasCode(err, ErrorCode.ExecCannotInvoke)) return ExitCodes.CannotInvoke;
  return undefined;
}

function killQuietly(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new CorralError(ErrorCode.RuntimeError, `cannot signal exec process ${pid}`, { cause: err });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
