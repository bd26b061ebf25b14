import { closeSync, openSync, constants } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SeqpacketSocket } from 'node-unix-socket';
import { RuntimeError } from '@corral/core';

// sun_path holds 108 bytes with its terminator.
const MAX_SOCKET_PATH = 107;

/**
 * Connects to conmon's attach socket (SOCK_SEQPACKET). A path too long for sun_path
 * is reached through /proc/self/fd of its opened directory, as conmon binds it.
 * Resolves once connected.
 */
export async function connectAttachSocket(path: string, what: string): Promise<SeqpacketSocket> {
  // Loaded on first use: the native addon is not needed by processes that never attach.
  // The seqpacket module alone: the package index also loads worker_threads and dgram.
  const { SeqpacketSocket } = await import('node-unix-socket/js/seqpacket.js');
  return new Promise((resolve, reject) => {
    let dirFd: number | undefined;
    let target = path;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      dirFd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
      target = `/proc/self/fd/${dirFd}/${basename(path)}`;
    }
    const release = () => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    const sock = new SeqpacketSocket();
    const onError = (err: Error) => {
      release();
      sock.destroy();
      reject(new RuntimeError(`cannot attach to ${what}: ${err.message}`, { cause: err, details: { socket: path } }));
    };
    sock.once('error', onError);
    try {
      sock.connect(target, () => {
        release();
        sock.off('error', onError);
        resolve(sock);
      });
    } catch (err) {
      onError(err as Error);
    }
  });
}
