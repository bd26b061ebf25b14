import { lazyRequire } from '@corral/core/lazy-builtin';

interface FsExt {
  flockSync(fd: number, flags: 'exnb' | 'shnb' | 'un'): void;
}

// fs-ext is CommonJS without types. Only the non-blocking calls are used: a blocking
// flock would occupy a libuv threadpool thread until granted, and a pending one keeps
// process.exit() from returning (libuv joins its threads at exit).
// Loaded on first use: a command that takes no lock does not dlopen the addon.
const fsExt = lazyRequire<FsExt>(import.meta.url, 'fs-ext');

const isContended = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
};

/** Tries flock(LOCK_EX|LOCK_NB): true when taken, false when another description holds it. */
export function tryLockExclusive(fd: number): boolean {
  return tryLock(fd, 'exnb');
}

/** Tries flock(LOCK_SH|LOCK_NB). */
export function tryLockShared(fd: number): boolean {
  return tryLock(fd, 'shnb');
}

export function unlockFile(fd: number): void {
  fsExt().flockSync(fd, 'un');
}

function tryLock(fd: number, flags: 'exnb' | 'shnb'): boolean {
  for (;;) {
    try {
      fsExt().flockSync(fd, flags);
      return true;
    } catch (err) {
      if (isContended(err)) return false;
      if ((err as NodeJS.ErrnoException).code === 'EINTR') continue;
      throw err;
    }
  }
}
