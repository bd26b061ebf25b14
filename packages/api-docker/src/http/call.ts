import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { ApiError, toApiError } from './api-error.js';
import type { HijackedConnection } from './hijack.js';

/** One request as a handler sees it: an ordinary response, or a hijacked connection. */
export interface Call {
  readonly req: IncomingMessage;
  readonly params: string[];
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The connection taken over (Upgrade: tcp), for attach and exec start. */
  readonly hijacked?: HijackedConnection;
  readonly reply: Reply;
  /** The request body parsed as JSON ({} when empty); 400 when malformed, 413 when too large. */
  json(): Promise<Record<string, unknown>>;
  /** The raw request body (an image archive). */
  body(): Readable;
}

/** Writes a response either through node's ServerResponse or, hijacked, onto the raw socket. */
export interface Reply {
  readonly sent: boolean;
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  empty(status: number): void;
  error(err: unknown): void;
  /** Starts a streamed response; the headers go out at once. */
  stream(status: number, headers: Record<string, string>): Writable;
}

export class ResponseReply implements Reply {
  constructor(private readonly res: ServerResponse) {}

  get sent(): boolean {
    return this.res.headersSent;
  }

  json(status: number, value: unknown, headers: Record<string, string> = {}): void {
    const body = JSON.stringify(value);
    this.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
    this.res.end(body);
  }

  empty(status: number): void {
    this.res.writeHead(status);
    this.res.end();
  }

  error(err: unknown): void {
    const api = toApiError(err);
    if (this.res.headersSent) {
      // A stream already begun cannot change its status: cut it.
      this.res.destroy();
      return;
    }
    this.json(api.status, { message: api.message });
  }

  stream(status: number, headers: Record<string, string>): Writable {
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
    return this.res;
  }
}

/** Replies on a hijacked socket: plain HTTP/1.1 written by hand, then the raw stream. */
export class SocketReply implements Reply {
  private done = false;
  constructor(private readonly socket: Duplex) {}

  get sent(): boolean {
    return this.done;
  }

  json(status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.write(status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
  }

  empty(status: number): void {
    this.write(status, {}, '');
  }

  error(err: unknown): void {
    if (this.done) {
      this.socket.destroy();
      return;
    }
    const api = toApiError(err);
    this.json(api.status, { message: api.message });
  }

  stream(status: number, headers: Record<string, string>): Writable {
    if (this.done) throw new ApiError(500, 'response already sent');
    this.done = true;
    const reason = status === 101 ? 'UPGRADED' : STATUS_CODES[status];
    this.socket.write(`HTTP/1.1 ${status} ${reason}\r\n${formatHeaders(headers)}\r\n`);
    return this.socket;
  }

  private write(status: number, headers: Record<string, string>, body: string): void {
    if (this.done) return;
    this.done = true;
    const all = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
    this.socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${formatHeaders(all)}\r\n${body}`);
  }
}

function formatHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
}

/** Docker's boolean query values: 1/true/True are true; absent, 0, false and "" are false. */
export function queryBool(query: URLSearchParams, key: string, fallback = false): boolean {
  const v = query.get(key);
  if (v === null) return fallback;
  if (v === '') return false;
  if (/^(1|true|t)$/i.test(v)) return true;
  if (/^(0|false|f)$/i.test(v)) return false;
  throw new ApiError(400, `invalid boolean value for query parameter ${key}: ${JSON.stringify(v)}`);
}

/** An integer query value; undefined when absent or empty. */
export function queryInt(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError(400, `invalid integer value for query parameter ${key}: ${JSON.stringify(v)}`);
  return Number(v);
}
