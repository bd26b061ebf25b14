import type { Readable } from 'node:stream';
import { token } from './token.js';

/** The changes of a container's root filesystem against its image. */
export interface RootfsDiff {
  /** A tar stream of the added and modified files. */
  tar: Readable;
  /** Paths (relative to the root) deleted from the image's tree. */
  deleted: string[];
}

/** Container root filesystems: one writable layer over an image's layers. */
export interface RootfsStore {
  /** Prepares the container's layer over `imageId`. */
  create(containerId: string, imageId: string): Promise<void>;
  /** Mounts (reference counted) and returns the merged tree's path. */
  mount(containerId: string): Promise<string>;
  /** Drops one reference, or all with force; returns true when it is no longer mounted. */
  unmount(containerId: string, force?: boolean): Promise<boolean>;
  /** Unmounts and deletes the container's layer. Idempotent. */
  remove(containerId: string): Promise<void>;
  /** The merged tree as a tar stream. */
  export(containerId: string): Promise<Readable>;
  diff(containerId: string): Promise<RootfsDiff>;
  applyDiff(containerId: string, tar: Readable, deleted: string[]): Promise<void>;
}
export const RootfsStore = token<RootfsStore>('corral.rootfs-store.v1');
