// fs-ext ships no types; only the flock part is used here.
declare module 'fs-ext' {
  export type FlockFlag = 'sh' | 'ex' | 'shnb' | 'exnb' | 'un';
  export function flockSync(fd: number, flags: FlockFlag): void;
  export function flock(fd: number, flags: FlockFlag, callback: (err: NodeJS.ErrnoException | null) => void): void;
}
