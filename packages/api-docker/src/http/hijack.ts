import { PassThrough, type Duplex } from 'node:stream';
import { ApiError } from './api-error.js';

export type BodyFraming = { kind: 'length'; length: number } | { kind: 'chunked' };

/**
 * A connection the client asked to take over (`Connection: Upgrade`, `Upgrade: tcp`).
 * node's parser stops after the headers, so the request body arrives as the first
 * bytes of the raw stream: dockerode sends its attach options as a body, with a
 * Content-Length or chunked. That body is split off as soon as it is complete, whether
 * the handler reads it or not; everything after it is the process's stdin. Stdin that
 * arrives before the process starts waits in `stdin`; the client's half-close ends it.
 */
export class HijackedConnection {
  readonly stdin = new PassThrough();
  private buffered: Buffer;
  private parsedBody: Buffer | undefined;
  private failure: ApiError | undefined;
  private readonly waiters: (() => void)[] = [];
  private ended = false;

  constructor(
    readonly socket: Duplex,
    head: Buffer,
    private readonly framing: BodyFraming,
    private readonly maxBody: number,
  ) {
    this.buffered = head;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', () => this.onEnd());
    this.advance();
  }

  /** The request body; rejects when it is malformed, too large, or cut short. */
  async body(): Promise<Buffer> {
    while (this.parsedBody === undefined) {
      if (this.failure) throw this.failure;
      if (this.ended) throw new ApiError(400, 'the connection ended before the request body was complete');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.parsedBody;
  }

  private onData(chunk: Buffer): void {
    if (this.parsedBody !== undefined) return this.push(chunk);
    if (this.failure) return;
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.advance();
  }

  private onEnd(): void {
    this.ended = true;
    this.wake();
    this.stdin.end();
  }

  private advance(): void {
    try {
      const parsed = this.framing.kind === 'length' ? this.byLength(this.framing.length) : this.chunked();
      if (!parsed) return;
      this.parsedBody = parsed.body;
      this.buffered = Buffer.alloc(0);
      if (parsed.rest.length) this.push(parsed.rest);
    } catch (err) {
      this.failure = err instanceof ApiError ? err : new ApiError(400, `malformed request body: ${(err as Error).message}`);
    }
    this.wake();
  }

  private byLength(length: number): { body: Buffer; rest: Buffer } | undefined {
    if (length > this.maxBody) throw new ApiError(413, `request body of ${length} bytes exceeds the limit of ${this.maxBody} bytes`);
    if (this.buffered.length < length) return undefined;
    return { body: this.buffered.subarray(0, length), rest: this.buffered.subarray(length) };
  }

  /** Decodes a chunked body once it is complete (trailers are not expected). */
  private chunked(): { body: Buffer; rest: Buffer } | undefined {
    const parts: Buffer[] = [];
    let size = 0;
    let pos = 0;
    for (;;) {
      const eol = this.buffered.indexOf('\r\n', pos);
      if (eol < 0) return undefined;
      const line = this.buffered.subarray(pos, eol).toString('latin1').split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(line)) throw new ApiError(400, `malformed chunked request body: bad chunk size ${JSON.stringify(line.slice(0, 20))}`);
      const n = parseInt(line, 16);
      if (n === 0) {
        if (this.buffered.length < eol + 4) return undefined;
        return { body: Buffer.concat(parts), rest: this.buffered.subarray(eol + 4) };
      }
      size += n;
      if (size > this.maxBody) throw new ApiError(413, `request body exceeds the limit of ${this.maxBody} bytes`);
      if (this.buffered.length < eol + 2 + n + 2) return undefined;
      parts.push(this.buffered.subarray(eol + 2, eol + 2 + n));
      pos = eol + 2 + n + 2;
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private push(chunk: Buffer): void {
    if (!this.stdin.write(chunk)) {
      this.socket.pause();
      this.stdin.once('drain', () => this.socket.resume());
    }
  }
}
