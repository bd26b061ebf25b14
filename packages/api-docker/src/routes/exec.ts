import { ErrorCode, codeOf, type Container, type ExecSession } from '@corral/core';
import type { ApiContext } from '../context.js';
import { queryInt, type Call } from '../http/call.js';
import { ApiError, noSuchExec } from '../http/api-error.js';
import type { Router } from '../http/router.js';
import { execInspect } from '../model/container-json.js';
import { openStream } from './attach.js';
import { lookup } from './lookup.js';

export function execRoutes(router: Router, ctx: ApiContext): void {
  router
    .add('POST', '/containers/{id}/exec', (call) => create(ctx, call))
    .add('POST', '/exec/{id}/start', (call) => start(ctx, call))
    .add('POST', '/exec/{id}/resize', (call) => resize(ctx, call))
    .add('GET', '/exec/{id}/json', (call) => inspect(ctx, call));
}

function strings(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ApiError(400, `invalid value for ${key}: expected a list of strings`);
  return v as string[];
}

function flag(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new ApiError(400, `invalid value for ${key}: expected a boolean`);
  return v;
}

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ApiError(400, `invalid value for ${key}: expected a string`);
  return v;
}

async function create(ctx: ApiContext, call: Call): Promise<void> {
  const body = await call.json();
  const ctr = await lookup(ctx, call.params[0]!);
  const command = strings(body, 'Cmd');
  if (!command || command.length === 0) throw new ApiError(400, 'No exec command specified');
  const id = await ctr.execCreate({
    command,
    env: strings(body, 'Env') ?? [],
    workingDir: text(body, 'WorkingDir'),
    user: text(body, 'User'),
    terminal: flag(body, 'Tty'),
    attachStdin: flag(body, 'AttachStdin'),
    attachStdout: flag(body, 'AttachStdout'),
    attachStderr: flag(body, 'AttachStderr'),
    privileged: flag(body, 'Privileged'),
    detachKeys: text(body, 'DetachKeys'),
  });
  call.reply.json(201, { Id: id });
}

/** An exec id names no container: the session record does. */
async function session(ctx: ApiContext, id: string): Promise<{ ctr: Container; session: ExecSession }> {
  let found: ExecSession;
  try {
    found = await ctx.engine.store.execSessions.get(id);
  } catch (err) {
    if (codeOf(err) === ErrorCode.NoSuchExecSession) throw noSuchExec(id, err);
    throw err;
  }
  return { ctr: await lookup(ctx, found.containerId), session: found };
}

async function start(ctx: ApiContext, call: Call): Promise<void> {
  const body = await call.json();
  const { ctr, session: s } = await session(ctx, call.params[0]!);
  if (s.status !== 'created') throw new ApiError(409, `exec ${s.id} has already been started`);
  if (flag(body, 'Detach')) {
    await ctr.execStart(s.id);
    return call.reply.empty(200);
  }
  const c = s.config;
  const { streams, finish } = openStream(call, { tty: c.terminal, stdin: c.attachStdin, stdout: c.attachStdout, stderr: c.attachStderr });
  try {
    // Resolves once the exit code is recorded: the client inspects it after the stream ends.
    await ctr.execStartAndAttach(s.id, streams);
  } catch (err) {
    ctx.logger.warn({ err, exec: s.id }, 'exec session failed');
  } finally {
    finish();
  }
}

async function resize(ctx: ApiContext, call: Call): Promise<void> {
  const { ctr, session: s } = await session(ctx, call.params[0]!);
  await ctr.execResize(s.id, { width: queryInt(call.query, 'w') ?? 0, height: queryInt(call.query, 'h') ?? 0 });
  call.reply.empty(200);
}

async function inspect(ctx: ApiContext, call: Call): Promise<void> {
  const { ctr, session: s } = await session(ctx, call.params[0]!);
  call.reply.json(200, execInspect(await ctr.execInspect(s.id)));
}
