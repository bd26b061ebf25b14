import { cpus, hostname, release, totalmem } from 'node:os';
import { ContainerStatus as S, nowNano, parseEventTime, validateEventFilters } from '@corral/core';
import type { ApiContext } from '../context.js';
import type { Call } from '../http/call.js';
import type { Router } from '../http/router.js';
import { corralAction, eventJson } from '../model/event-json.js';
import { parseFilters } from '../model/filters.js';
import { ENGINE_VERSION, MAX_API_VERSION, MIN_API_VERSION } from '../version.js';

const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

export function systemRoutes(router: Router, ctx: ApiContext): void {
  router
    .add('GET', '/_ping', (call) => ping(call))
    .add('GET', '/version', (call) => version(call))
    .add('GET', '/info', (call) => info(ctx, call))
    .add('GET', '/events', (call) => events(ctx, call));
}

async function ping(call: Call): Promise<void> {
  const res = call.reply;
  if (call.req.method === 'HEAD') return res.empty(200);
  const out = res.stream(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
  out.end('OK');
}

async function version(call: Call): Promise<void> {
  const details = {
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    Os: 'linux',
    Arch: ARCH,
    KernelVersion: release(),
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    BuildTime: '',
  };
  call.reply.json(200, {
    Platform: { Name: 'Corral Engine' },
    Components: [{ Name: 'Engine', Version: ENGINE_VERSION, Details: details }],
    Version: ENGINE_VERSION,
    ...details,
  });
}

async function info(ctx: ApiContext, call: Call): Promise<void> {
  const records = await ctx.engine.list();
  const count = (s: S[]) => records.filter((r) => s.includes(r.state.status)).length;
  call.reply.json(200, {
    ID: '',
    Containers: records.length,
    ContainersRunning: count([S.Running, S.Stopping]),
    ContainersPaused: count([S.Paused]),
    ContainersStopped: count([S.Stopped, S.Exited, S.Configured, S.Created]),
    Images: (await ctx.engine.images.list()).length,
    Driver: 'overlay',
    DockerRootDir: ctx.engine.root,
    LoggingDriver: 'k8s-file',
    CgroupDriver: 'cgroupfs',
    KernelVersion: release(),
    OperatingSystem: 'linux',
    OSType: 'linux',
    Architecture: ARCH,
    NCPU: cpus().length,
    MemTotal: totalmem(),
    Name: hostname(),
    ServerVersion: ENGINE_VERSION,
    DefaultRuntime: 'runc',
    Runtimes: { runc: { path: 'runc' } },
    Warnings: null,
  });
}

/**
 * GET /events: newline-delimited JSON. Without `until` the stream follows new events
 * until the client leaves; with an `until` in the future it ends then.
 */
async function events(ctx: ApiContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  if (filters.event) filters.event = filters.event.map(corralAction);
  if (filters.type?.includes('container') && !filters.type.includes('exec')) filters.type.push('exec');
  validateEventFilters(filters);
  const sinceText = call.query.get('since');
  const untilText = call.query.get('until');
  const since = sinceText ? parseEventTime(sinceText) : undefined;
  const until = untilText ? parseEventTime(untilText) : undefined;
  const now = nowNano();
  const follow = until === undefined || until > now;
  const abort = new AbortController();
  const stop = () => abort.abort();
  call.signal.addEventListener('abort', stop, { once: true });
  const timer = until !== undefined && follow ? setTimeout(stop, Number((until - now) / 1_000_000n) + 1) : undefined;
  const out = call.reply.stream(200, { 'Content-Type': 'application/json' });
  try {
    for await (const event of ctx.engine.events.read({
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      filters,
      follow,
      signal: abort.signal,
    })) {
      out.write(`${JSON.stringify(eventJson(event))}\n`);
    }
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener('abort', stop);
    out.end();
  }
}
