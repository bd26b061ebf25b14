import type { ContainerConfig } from '../types/container-config.js';
import { token } from './token.js';

/** What goes into (and comes out of) a checkpoint archive, as paths on the host. */
export interface CheckpointArchiveContents {
  /** CRIU images. */
  imageDir: string;
  config: ContainerConfig;
  /** The OCI spec the container ran with (spec.dump), when known. */
  specPath?: string;
  networkStatus: unknown;
  /** rootfs-diff.tar, absent with IgnoreRootfs. */
  rootfsDiffPath?: string;
  deletedFiles?: string[];
  logPath?: string;
}

/** CRIU checkpoint support: the CRIU binary, and archives made safe to import. */
export interface CheckpointBackend {
  /** The CRIU executable to hand to the OCI runtime. */
  criuPath(): string;
  /** Writes an archive holding `contents` to `target`. */
  exportArchive(contents: CheckpointArchiveContents, target: string): Promise<void>;
  /**
   * Unpacks an archive into `destination` after validating every entry and its config;
   * ARCHIVE_INVALID when anything is out of bounds. Nothing is left behind on failure.
   */
  importArchive(source: string, destination: string): Promise<CheckpointArchiveContents>;
}
export const CheckpointBackend = token<CheckpointBackend>('corral.checkpoint-backend.v1');
