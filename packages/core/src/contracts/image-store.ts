import type { Readable, Writable } from 'node:stream';
import type { ImageSummary } from '../types/image.js';
import { token } from './token.js';

export interface ImportOptions {
  /** Name to give the image ("myimg:1"); untagged when absent. */
  reference?: string;
  /** Dockerfile-style changes, as podman's --change: "CMD [\"sh\"]", "ENV A=b". */
  changes?: string[];
  message?: string;
}

export interface RemoveImageResult {
  untagged: string[];
  deleted: string[];
}

/** Images: content-addressed, named, loaded from and saved to archives. */
export interface ImageStore {
  /** By id, unique id prefix, or name ("busybox" means "localhost/busybox:latest" too). NO_SUCH_IMAGE. */
  resolve(reference: string): Promise<ImageSummary>;
  list(): Promise<ImageSummary[]>;
  /** A root filesystem tarball becomes a one-layer image. */
  importRootfs(tar: Readable, options?: ImportOptions): Promise<ImageSummary>;
  /** A docker-archive or oci-archive; returns the images loaded. */
  load(archive: Readable): Promise<ImageSummary[]>;
  /** Writes a docker-archive of the named images. */
  save(references: string[], out: Writable): Promise<void>;
  tag(reference: string, newName: string): Promise<void>;
  /** IMAGE_IN_USE when a container uses it and force is not set. */
  remove(reference: string, options?: { force?: boolean }): Promise<RemoveImageResult>;
  /** Removes images that have no name and no container; returns their ids. */
  prune(): Promise<string[]>;
}
export const ImageStore = token<ImageStore>('corral.image-store.v1');
