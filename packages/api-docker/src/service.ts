import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, chown, lstat, mkdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { ErrorCode, CorralError, type Engine, type Logger } from '@corral/core';
import { AttachRegistry, LifecycleHub, type ApiContext } from './context.js';
import { BridgeKeeper } from './bridge-keeper.js';
import { ApiError, toApiError } from './http/api-error.js';
import { ResponseReply, SocketReply, type Call, type Reply } from './http/call.js';
import { HijackedConnection, type BodyFraming } from './http/hijack.js';
import { Router } from './http/router.js';
import { containerRoutes } from './routes/containers.js';
import { execRoutes } from './routes/exec.js';
import { imageRoutes } from './routes/images.js';
import { systemRoutes } from './routes/system.js';
import { socketPathOf } from './uri.js';
import { ENGINE_VERSION, MAX_API_VERSION, checkApiVersion } from './version.js';

export interface DockerApiOptions {
  engine: Engine;
  logger?: Logger;
  /** Largest JSON request body accepted (413 beyond); archives are streamed and not limited. */
  maxBodyBytes?: number;
  /**
   * With no connection open for this long the service closes itself (podman's
   * `--time`); 0 or absent: never.
   */
  idleTimeoutMs?: number;
  /** Hold the default network's bridge up while listening, as dockerd holds docker0 (default true). */
  holdDefaultBridge?: boolean;
}

const DEFAULT_MAX_BODY = 1 << 20;
const COMMON_HEADERS = {
  'Api-Version': MAX_API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: `Corral/${ENGINE_VERSION} (linux)`,
};

/**
 * The Docker Engine API over a unix socket, on one engine. The engine stays the
 * caller's: closing the service does not close it.
 */
export class DockerApiService {
  private readonly server: Server;
  private readonly router = new Router();
  private readonly ctx: ApiContext;
  private readonly closingController = new AbortController();
  private readonly sockets = new Set<Socket>();
  private readonly logger: Logger;
  private idleTimer: NodeJS.Timeout | undefined;
  private socketPath: string | undefined;
  private keeper: BridgeKeeper | undefined;
  private closedPromise: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** Resolves once the service has closed (by close() or the idle timeout). */
  readonly closed: Promise<void>;

  constructor(private readonly options: DockerApiOptions) {
    this.logger = (options.logger ?? options.engine.logger).child({ component: 'api-docker' });
    this.ctx = {
      engine: options.engine,
      logger: this.logger,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
      lifecycle: new LifecycleHub(),
      attaches: new AttachRegistry(),
      consoleSizes: new Map(),
      closing: this.closingController.signal,
    };
    systemRoutes(this.router, this.ctx);
    imageRoutes(this.router, this.ctx);
    execRoutes(this.router, this.ctx);
    containerRoutes(this.router, this.ctx);
    this.closed = new Promise((r) => (this.resolveClosed = r));

    this.server = createServer({ maxHeaderSize: 64 * 1024, requestTimeout: 0 });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
      void this.dispatch(req, new ResponseReply(res), res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.dispatch(req, new SocketReply(socket), undefined, { socket, head });
    });
    this.server.on('connection', (socket: Socket) => this.track(socket));
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      // Malformed HTTP or oversized headers: answer in Docker's error shape, then hang up.
      if (!socket.writable) return socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ message: status === 431 ? 'request headers too large' : `bad request: ${err.message}` });
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }

  /** Listens on a `unix://` URI; a stale socket file is replaced, a live one is an error. */
  async listen(uri: string): Promise<void> {
    const path = socketPathOf(uri);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await removeStaleSocket(path);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.socketPath = path;
    // Root and root's group: the docker group convention, without creating a group.
    await chmod(path, 0o660);
    await chown(path, process.getuid?.() ?? 0, 0);
    if (this.options.holdDefaultBridge !== false) {
      this.keeper = new BridgeKeeper(this.options.engine, path, this.logger);
      this.keeper.hold();
    }
    this.armIdleTimer();
  }

  get address(): string | undefined {
    return this.socketPath;
  }

  /** Stops listening, ends every connection (streams included) and removes the socket. */
  close(): Promise<void> {
    this.closedPromise ??= (async () => {
      clearTimeout(this.idleTimer);
      this.closingController.abort();
      const closing = new Promise<void>((r) => this.server.close(() => r()));
      for (const s of this.sockets) s.destroy();
      await closing;
      if (this.socketPath) await rm(this.socketPath, { force: true });
      await this.keeper?.release();
      this.resolveClosed();
    })();
    return this.closedPromise;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    clearTimeout(this.idleTimer);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.sockets.size === 0) this.armIdleTimer();
    });
  }

  private armIdleTimer(): void {
    const ms = this.options.idleTimeoutMs ?? 0;
    if (ms <= 0 || this.closedPromise) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.sockets.size === 0) void this.close();
    }, ms);
  }

  private async dispatch(req: IncomingMessage, reply: Reply, res?: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const abort = new AbortController();
    const closeWith = res ?? upgrade!.socket;
    closeWith.on('close', () => abort.abort());
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    try {
      const hijacked = upgrade
        ? new HijackedConnection(upgrade.socket, upgrade.head, framing(req), this.ctx.maxBodyBytes)
        : undefined;
      const parsed = new URL(url, 'http://localhost');
      const versioned = /^\/v([0-9]+\.[0-9]+)(\/.*)$/.exec(parsed.pathname);
      const apiVersion = checkApiVersion(versioned?.[1]);
      const path = versioned ? versioned[2]! : parsed.pathname;
      const found = this.router.match(method, path);
      if (found === undefined) throw new ApiError(404, 'page not found');
      if (found === 'method') throw new ApiError(405, `method ${method} not allowed for ${path}`);
      const call: Call = {
        req,
        params: found.params,
        query: parsed.searchParams,
        apiVersion,
        signal: abort.signal,
        reply,
        ...(hijacked ? { hijacked } : {}),
        json: () => (hijacked ? hijacked.body().then((b) => parseJson(b)) : readJson(req, this.ctx.maxBodyBytes)),
        body: () => (hijacked ? hijacked.stdin : (req as Readable)),
      };
      await found.handler(call);
      if (!reply.sent) throw new ApiError(500, `no response for ${method} ${path}`);
    } catch (err) {
      const api = toApiError(err);
      const level = api.status >= 500 ? 'warn' : 'debug';
      this.logger[level]({ err, method, url, status: api.status }, 'request failed');
      if (reply.sent) {
        closeWith.destroy();
        return;
      }
      // A body left unread (too large, or the handler failed early) poisons the connection.
      if (res && !req.complete) res.setHeader('Connection', 'close');
      reply.error(api);
    }
  }
}

function framing(req: IncomingMessage): BodyFraming {
  if (/chunked/i.test(String(req.headers['transfer-encoding'] ?? ''))) return { kind: 'chunked' };
  return { kind: 'length', length: contentLength(req) };
}

function contentLength(req: IncomingMessage): number {
  const n = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function parseJson(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new ApiError(400, `invalid JSON in the request body: ${(err as Error).message}`, { cause: err });
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, 'invalid request body: expected a JSON object');
  return value as Record<string, unknown>;
}

async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const declared = contentLength(req);
  if (declared > max) throw new ApiError(413, `request body of ${declared} bytes exceeds the limit of ${max} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new ApiError(413, `request body exceeds the limit of ${max} bytes`);
    chunks.push(chunk);
  }
  return parseJson(Buffer.concat(chunks));
}

/** A socket file nobody answers on is left over from a crash: remove it. */
async function removeStaleSocket(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw new CorralError(ErrorCode.InvalidArg, `cannot listen on ${path}: a file that is not a socket is in the way`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new CorralError(ErrorCode.InvalidArg, `cannot listen on ${path}: another service is listening there`);
  await rm(path, { force: true });
}
