import { ContainerStatus as S, DEFAULT_DETACH_KEYS, ErrorCode, codeOf, isActive, parseDetachKeys, type AttachStreams, type Container } from '@corral/core';
import type { Writable } from 'node:stream';
import type { ApiContext, PendingAttach } from '../context.js';
import { queryBool, type Call } from '../http/call.js';
import { STDERR, STDOUT, streamContentType, streamWriter } from '../stream/mux.js';
import { atLeast } from '../version.js';
import { lookup, syncOrRemoved } from './lookup.js';

/**
 * Opens the response of a stream endpoint (attach, exec start): 101 UPGRADED on a
 * hijacked connection, a plain 200 otherwise (dockerode without hijack). Returns the
 * streams to hand to the engine and how to end the connection.
 */
export function openStream(
  call: Call,
  options: { tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean },
): { streams: AttachStreams; finish: () => void; out: Writable } {
  const framed = !options.tty;
  const type = streamContentType(framed, atLeast(call.apiVersion, '1.42'));
  const out = call.hijacked
    ? call.reply.stream(101, { 'Content-Type': type, Connection: 'Upgrade', Upgrade: 'tcp' })
    : call.reply.stream(200, { 'Content-Type': type });
  const streams: AttachStreams = {
    ...(options.stdout ? { stdout: streamWriter(out, STDOUT, framed) } : {}),
    // With a TTY everything is one stream.
    ...(options.stderr ? { stderr: streamWriter(out, options.tty ? STDOUT : STDERR, framed) } : {}),
    ...(options.stdin && call.hijacked ? { stdin: call.hijacked.stdin } : {}),
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    // Let queued output drain, then close: the client sees the end of the stream.
    setImmediate(() => out.end());
  };
  return { streams, finish, out };
}

/** POST /containers/{id}/attach: live now if the container runs, else joined to its next start. */
export async function attach(ctx: ApiContext, call: Call): Promise<void> {
  const ctr = await lookup(ctx, call.params[0]!);
  const q = call.query;
  const wanted = { stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr') };
  const logs = queryBool(q, 'logs');
  const live = queryBool(q, 'stream');
  const detachKeys = detachKeysOf(q, wanted.stdin);
  const state = await ctr.sync();
  const { streams, finish } = openStream(call, { tty: ctr.config.terminal, ...wanted });
  if (!live) {
    if (logs) await ctr.httpAttach(streams, { stream: false }).catch((err) => ctx.logger.debug({ err }, 'log replay failed'));
    return finish();
  }
  if (isActive(state.status)) {
    ctr
      .httpAttach(streams, { logs, detachKeys, signal: call.signal })
      .catch((err) => ctx.logger.debug({ err, container: ctr.id }, 'attach ended with an error'))
      .finally(finish);
    return;
  }
  ctx.attaches.add(ctr.id, { streams, signal: call.signal, finish, detachKeys });
}

/**
 * The keys that detach a client, as dockerd reads them: the `detachKeys` parameter,
 * else ctrl-p,ctrl-q. They travel on stdin, so without stdin there are none. A bad
 * sequence is refused before the stream opens.
 */
function detachKeysOf(q: URLSearchParams, stdin: boolean): string {
  if (!stdin) return '';
  const keys = q.get('detachKeys') || DEFAULT_DETACH_KEYS;
  parseDetachKeys(keys);
  return keys;
}

/**
 * Starts a container, joining the attaches that wait for it: the first one through
 * startAndAttach so that no early output is lost, the others right after. A
 * container with AutoRemove is removed by the service once it exits (conmon's exit
 * command would too; whichever comes second finds nothing to do).
 */
export async function startContainer(ctx: ApiContext, ctr: Container): Promise<void> {
  try {
    await startJoined(ctx, ctr);
  } catch (err) {
    // A container that cannot start is removed when it asked for AutoRemove: the docker
    // CLI waits for that removal before it reports the error.
    if (ctr.config.autoRemove) {
      await ctr.remove({ force: true, timeout: 0 }).catch((e) => ctx.logger.debug({ err: e }, 'auto-remove after a failed start failed'));
      ctx.attaches.drop(ctr.id);
      ctx.lifecycle.notify(ctr.id);
    }
    throw err;
  }
  ctx.lifecycle.notify(ctr.id);
  if (ctr.config.autoRemove) removeAfterExit(ctx, ctr);
}

async function startJoined(ctx: ApiContext, ctr: Container): Promise<void> {
  const size = ctx.consoleSizes.get(ctr.id);
  if (size) {
    // conmon owns the terminal from init on: size it before the process starts.
    const state = await ctr.sync();
    if (state.status !== S.Created) await ctr.init();
    await ctr.attachResize(size).catch((err) => ctx.logger.debug({ err }, 'initial terminal size not applied'));
  }
  const [first, ...others] = ctx.attaches.take(ctr.id);
  if (!first) return ctr.start();
  let attached;
  try {
    ({ attached } = await ctr.startAndAttach(first.streams, { detachKeys: first.detachKeys, signal: first.signal }));
  } catch (err) {
    first.finish();
    for (const p of others) p.finish();
    throw err;
  }
  void attached.catch((err) => ctx.logger.debug({ err }, 'attach ended with an error')).finally(() => first.finish());
  for (const p of others) joinLive(ctx, ctr, p);
}

function joinLive(ctx: ApiContext, ctr: Container, p: PendingAttach): void {
  ctr
    .attach(p.streams, { detachKeys: p.detachKeys, signal: p.signal })
    .catch((err) => ctx.logger.debug({ err }, 'attach ended with an error'))
    .finally(() => p.finish());
}

function removeAfterExit(ctx: ApiContext, ctr: Container): void {
  void (async () => {
    try {
      await ctr.wait(ctx.closing);
      if (ctx.closing.aborted) return;
      const state = await syncOrRemoved(ctr);
      // A restart policy may have brought it back: then it is not ours to remove.
      if (state !== 'removed' && isActive(state.status)) return;
      await ctr.remove({ force: true, timeout: 0 });
    } catch (err) {
      const code = codeOf(err);
      if (code !== ErrorCode.CtrRemoved && code !== ErrorCode.NoSuchCtr && code !== ErrorCode.Cancelled) {
        ctx.logger.warn({ err, container: ctr.id }, 'auto-remove failed');
      }
    } finally {
      ctx.lifecycle.notify(ctr.id);
    }
  })();
}
