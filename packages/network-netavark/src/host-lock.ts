import { closeSync, openSync } from 'node:fs';
import { lazyRequire } from '@corral/core/lazy-builtin';
import { setTimeout as sleep } from 'node:timers/promises';
import { CorralError, ErrorCode } from '@corral/core';

interface FsExt {
  flockSync(fd: number, flags: 'exnb' | 'un'): void;
}

// fs-ext is CommonJS without types. Only the non-blocking call is used: a blocking flock
// sits on a libuv threadpool thread, and twenty waiters would starve the file I/O the
// holder needs to finish.
// Loaded on first use: a command that takes no lock does not dlopen the addon.
const fsExt = lazyRequire<FsExt>(import.meta.url, 'fs-ext');

/**
 * Serializes netavark runs on one config directory, across processes (flock on a file)
 * and within this one (a promise chain, so only one waiter polls the file). Podman holds
 * the same kind of lock around netavark: concurrent runs race on bridges, firewall
 * chains and aardvark's config.
 */
export class HostLock {
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      const fd = await this.#acquire();
      try {
        return await fn();
      } finally {
        fsExt().flockSync(fd, 'un');
        closeSync(fd);
      }
    } finally {
      release();
    }
  }

  async #acquire(): Promise<number> {
    const fd = openSync(this.path, 'a', 0o600);
    const deadline = Date.now() + this.timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      try {
        fsExt().flockSync(fd, 'exnb');
        return fd;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          closeSync(fd);
          throw new CorralError(ErrorCode.Lock, `cannot lock ${this.path}`, { cause: err });
        }
      }
      if (Date.now() > deadline) {
        closeSync(fd);
        throw new CorralError(ErrorCode.Timeout, `timed out after ${this.timeoutMs} ms waiting for the network lock ${this.path}`);
      }
      await sleep(delay);
    }
  }
}
