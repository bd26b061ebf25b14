import {
  ContainerStatus as S,
  ErrorCode,
  codeOf,
  describeError,
  isActive,
  parseEventTime,
  readLog,
  type Container,
} from '@corral/core';
import type { ApiContext } from '../context.js';
import { queryBool, queryInt, type Call } from '../http/call.js';
import { ApiError, noSuchImage } from '../http/api-error.js';
import type { Router } from '../http/router.js';
import { containerInspect, containerSummary } from '../model/container-json.js';
import { toCreateOptions } from '../model/create-options.js';
import { parseFilters } from '../model/filters.js';
import { STDERR, STDOUT, frameHeader, streamContentType } from '../stream/mux.js';
import { atLeast } from '../version.js';
import { lookup, syncOrRemoved } from './lookup.js';
import { parseCondition, waitFor } from './wait.js';
import { attach, startContainer } from './attach.js';

export function containerRoutes(router: Router, ctx: ApiContext): void {
  router
    .add('GET', '/containers/json', (call) => list(ctx, call))
    .add('POST', '/containers/create', (call) => create(ctx, call))
    .add('GET', '/containers/{id}/json', (call) => inspect(ctx, call))
    .add('POST', '/containers/{id}/start', (call) => start(ctx, call))
    .add('POST', '/containers/{id}/stop', (call) => stop(ctx, call))
    .add('POST', '/containers/{id}/kill', (call) => kill(ctx, call))
    .add('POST', '/containers/{id}/restart', (call) => restart(ctx, call))
    .add('POST', '/containers/{id}/pause', (call) => simple(ctx, call, (c) => c.pause()))
    .add('POST', '/containers/{id}/unpause', (call) => simple(ctx, call, (c) => c.unpause()))
    .add('POST', '/containers/{id}/wait', (call) => wait(ctx, call))
    .add('POST', '/containers/{id}/attach', (call) => attach(ctx, call))
    .add('POST', '/containers/{id}/resize', (call) => resize(ctx, call))
    .add('GET', '/containers/{id}/logs', (call) => logs(ctx, call))
    .add('GET', '/containers/{id}/export', (call) => exportRootfs(ctx, call))
    .add('DELETE', '/containers/{id}', (call) => remove(ctx, call));
}

async function list(ctx: ApiContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  const limit = queryInt(call.query, 'limit');
  const all = queryBool(call.query, 'all') || (limit !== undefined && limit > 0);
  const records = (await ctx.engine.listSynced(filters)).filter((r) => all || isActive(r.state.status));
  records.sort((a, b) => Date.parse(b.config.createdAt) - Date.parse(a.config.createdAt));
  const shown = limit !== undefined && limit > 0 ? records.slice(0, limit) : records;
  call.reply.json(200, shown.map(containerSummary));
}

async function create(ctx: ApiContext, call: Call): Promise<void> {
  const body = await call.json();
  const options = toCreateOptions(body, call.query.get('name') ?? undefined);
  try {
    const ctr = await ctx.engine.createContainer(options);
    const size = consoleSize(body);
    if (size && options.terminal) ctx.consoleSizes.set(ctr.id, size);
    call.reply.json(201, { Id: ctr.id, Warnings: [] });
  } catch (err) {
    // The docker CLI pulls the image when create answers 404 with "No such image".
    if (codeOf(err) === ErrorCode.NoSuchImage) throw noSuchImage(options.image, err);
    throw err;
  }
}

function consoleSize(body: Record<string, unknown>): { width: number; height: number } | undefined {
  const size = (body.HostConfig as { ConsoleSize?: unknown } | undefined)?.ConsoleSize;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) return undefined;
  return { height: size[0] as number, width: size[1] as number };
}

async function inspect(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const state = await syncOrRemoved(ctr);
  if (state === 'removed') throw new ApiError(404, `No such container: ${call.params[0]}`);
  const sessions = await ctr.execSessions().catch(() => []);
  call.reply.json(
    200,
    containerInspect({ config: ctr.config, state }, { logPath: ctr.logPath(), execIds: sessions.map((s) => s.id) }),
  );
}

async function start(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const state = await ctr.sync();
  if (isActive(state.status)) return call.reply.empty(304);
  await startContainer(ctx, ctr);
  call.reply.empty(204);
}

async function stop(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const state = await ctr.sync();
  if (!isActive(state.status)) return call.reply.empty(304);
  const timeout = queryInt(call.query, 't') ?? queryInt(call.query, 'timeout');
  if (timeout !== undefined && timeout < -1) throw new ApiError(400, `invalid stop timeout ${timeout}`);
  const signal = call.query.get('signal');
  if (signal) {
    // A stop signal other than the container's own: send it, then SIGKILL after the timeout.
    await ctr.kill(signal);
    const grace = (timeout === undefined || timeout < 0 ? ctr.config.stopTimeout : timeout) * 1000;
    const exited = await Promise.race([ctr.wait().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), grace).unref())]);
    if (!exited) await ctr.stop(0);
  } else {
    await ctr.stop(timeout === undefined || timeout < 0 ? undefined : timeout);
  }
  call.reply.empty(204);
}

async function kill(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const state = await ctr.sync();
  if (!isActive(state.status)) {
    throw new ApiError(409, `Cannot kill container: ${call.params[0]}: Container ${ctr.id} is not running`);
  }
  await ctr.kill(call.query.get('signal') || 'SIGKILL');
  call.reply.empty(204);
}

async function restart(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const timeout = queryInt(call.query, 't');
  await ctr.restart(timeout === undefined || timeout < 0 ? undefined : timeout);
  ctx.lifecycle.notify(ctr.id);
  call.reply.empty(204);
}

async function simple(ctx: ApiContext, call: Call, op: (c: Container) => Promise<void>): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  await op(ctr);
  call.reply.empty(204);
}

async function wait(ctx: ApiContext, call: Call): Promise<void> {
  const condition = parseCondition(call.query.get('condition'));
  const ctr = await lookup(ctx, call.params[0]!);
  // The status goes out at once: `docker run` waits for it before it starts the container.
  const out = call.reply.stream(200, { 'Content-Type': 'application/json' });
  let body: Record<string, unknown>;
  try {
    body = { StatusCode: await waitFor(ctx, ctr, condition, call.signal) };
  } catch (err) {
    if (call.signal.aborted) return;
    body = { StatusCode: -1, Error: { Message: describeError(err) } };
  }
  out.end(`${JSON.stringify(body)}\n`);
}

async function resize(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  await ctr.attachResize({ width: queryInt(call.query, 'w') ?? 0, height: queryInt(call.query, 'h') ?? 0 });
  call.reply.empty(200);
}

/** Docker's since/until: unix seconds (with a fraction); 0 or empty means unbounded. */
function logTime(value: string | null): bigint | undefined {
  if (value === null || value === '' || value === '0') return undefined;
  return parseEventTime(value);
}

async function logs(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const wantOut = queryBool(call.query, 'stdout');
  const wantErr = queryBool(call.query, 'stderr');
  if (!wantOut && !wantErr) throw new ApiError(400, 'Bad parameters: you must choose at least one stream');
  const path = ctr.logPath();
  if (!path) throw new ApiError(501, `configured logging driver does not support reading: container ${ctr.name} has logging turned off`);
  const follow = queryBool(call.query, 'follow');
  const timestamps = queryBool(call.query, 'timestamps');
  const tailText = call.query.get('tail');
  let tail: number | undefined;
  if (tailText !== null && tailText !== '' && tailText !== 'all') {
    if (!/^\d+$/.test(tailText)) throw new ApiError(400, `invalid tail ${JSON.stringify(tailText)}: a number or "all"`);
    tail = Number(tailText);
  }
  const since = logTime(call.query.get('since'));
  const until = logTime(call.query.get('until'));
  const framed = !ctr.config.terminal;
  const out = call.reply.stream(200, { 'Content-Type': streamContentType(framed, atLeast(call.apiVersion, '1.42')) });
  let lineStart = true;
  for await (const record of readLog(path, {
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(tail !== undefined ? { tail } : {}),
    follow,
    done: async () => {
      const state = await syncOrRemoved(ctr);
      return state === 'removed' || !(isActive(state.status) || state.status === S.Created);
    },
    signal: call.signal,
  })) {
    const wanted = record.stream === 'stderr' ? wantErr : wantOut;
    const prefix = timestamps && lineStart ? `${record.time} ` : '';
    lineStart = !record.partial;
    if (!wanted) continue;
    const data = Buffer.from(`${prefix}${record.text}${record.partial ? '' : '\n'}`);
    out.write(framed ? Buffer.concat([frameHeader(record.stream === 'stderr' ? STDERR : STDOUT, data.length), data]) : data);
  }
  out.end();
}

async function exportRootfs(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const out = call.reply.stream(200, { 'Content-Type': 'application/x-tar' });
  await ctr.export(out);
}

async function remove(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const force = queryBool(call.query, 'force');
  if (!force) {
    const state = await ctr.sync();
    if (isActive(state.status)) {
      throw new ApiError(
        409,
        `You cannot remove a ${state.status === S.Paused ? 'paused' : 'running'} container ${ctr.id}. Stop the container before attempting removal or force remove`,
      );
    }
  }
  try {
    await ctr.remove(force ? { force, timeout: 0 } : {});
  } catch (err) {
    const code = codeOf(err);
    if (code !== ErrorCode.CtrRemoved && code !== ErrorCode.NoSuchCtr) throw err;
  }
  ctx.attaches.drop(ctr.id);
  ctx.consoleSizes.delete(ctr.id);
  ctx.lifecycle.notify(ctr.id);
  call.reply.empty(204);
}
