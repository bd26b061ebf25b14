import type { SeqpacketSocket } from 'node-unix-socket';
import type { AttachEnd, AttachStreams } from '@corral/core';
import { DetachScanner } from './detach-keys.js';

// conmon tags each packet it sends with the stream it came from.
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
// conmon reads at most 32 KiB - 1 per packet; stay well below.
const MAX_PACKET = 8192;

export interface PumpOptions {
  /** The detach sequence; empty for none. */
  detachKeys: Buffer;
  signal?: AbortSignal;
  /** Forward the caller's stdin (the process has one). */
  forwardStdin: boolean;
}

/**
 * Moves data between an attach socket and the caller's streams until conmon closes
 * the socket (the process ended: 'exited'), the detach keys arrive ('detached') or the
 * signal aborts ('closed'). The end of stdin half-closes the socket, which conmon
 * passes on by closing the process's stdin. The caller's streams are never ended.
 */
export function pumpAttach(sock: SeqpacketSocket, streams: AttachStreams, opts: PumpOptions): Promise<AttachEnd> {
  return new Promise((resolve) => {
    const stdin = opts.forwardStdin ? streams.stdin : undefined;
    const scanner = new DetachScanner(opts.detachKeys);
    let settled = false;

    const finish = (end: AttachEnd) => {
      if (settled) return;
      settled = true;
      if (stdin) {
        stdin.off('data', onStdin);
        stdin.off('end', onStdinEnd);
        stdin.pause();
      }
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(end);
    };

    const onStdin = (chunk: Buffer | string) => {
      const { pass, detached } = scanner.feed(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      for (let off = 0; off < pass.length; off += MAX_PACKET) sock.write(pass.subarray(off, off + MAX_PACKET));
      if (detached) finish({ reason: 'detached' });
    };
    const onStdinEnd = () => {
      if (!settled) sock.end();
    };
    const onAbort = () => finish({ reason: 'closed' });

    sock.on('data', (packet: Buffer) => {
      if (packet.length < 1) return;
      const body = packet.subarray(1);
      if (packet[0] === STDOUT_PIPE) streams.stdout?.write(body);
      else if (packet[0] === STDERR_PIPE) streams.stderr?.write(body);
    });
    sock.on('end', () => finish({ reason: 'exited' }));
    sock.on('close', () => finish({ reason: 'exited' }));
    sock.on('error', () => finish({ reason: 'closed' }));

    if (opts.signal?.aborted) return finish({ reason: 'closed' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (stdin) {
      stdin.on('data', onStdin);
      stdin.on('end', onStdinEnd);
      stdin.resume();
      if (stdin.readableEnded) onStdinEnd();
    }
  });
}
