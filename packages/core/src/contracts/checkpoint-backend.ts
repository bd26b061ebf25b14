import type { ContainerConfig } from '../types/container-config.js';
import { token } from './token.js';

/**
 * What goes into (and comes out of) a checkpoint archive, as paths on the host.
 * The archive has podman's layout: checkpoint/ (the CRIU images), config.dump,
 * spec.dump, network.status, rootfs-diff.tar, deleted.files and ctr.log.
 */
export interface CheckpointArchiveContents {
  /** CRIU images (an archive's checkpoint/ directory). */
  imageDir: string;
  /** On import: validated against ContainerConfig's shape and rules, a fresh object with exactly its fields. */
  config: ContainerConfig;
  /** The OCI spec the container ran with (spec.dump), when known. */
  specPath?: string;
  /** Any JSON value; null when the archive holds none. */
  networkStatus: unknown;
  /** rootfs-diff.tar, absent with IgnoreRootfs. */
  rootfsDiffPath?: string;
  /**
   * Paths deleted from the image's tree, relative to the root filesystem ("etc/motd"):
   * never absolute, never with "." or ".." components (checked on export and import).
   */
  deletedFiles?: string[];
  /** The container's log; left out of an export when the file does not exist. */
  logPath?: string;
}

/** CRIU checkpoint support: the CRIU binary, and archives made safe to import. */
export interface CheckpointBackend {
  /** The CRIU executable to hand to the OCI runtime (`runc --criu PATH`); checked with `criu check` at start. */
  criuPath(): string;
  /** Writes an archive holding `contents` to `target`, atomically (whole or not at all). */
  exportArchive(contents: CheckpointArchiveContents, target: string): Promise<void>;
  /**
   * Unpacks an archive into `destination` (absent, or an empty directory) after validating
   * every entry and its config; ARCHIVE_INVALID when anything is out of bounds. On failure
   * the destination is left as it was found: absent, or empty.
   */
  importArchive(source: string, destination: string): Promise<CheckpointArchiveContents>;
}
export const CheckpointBackend = token<CheckpointBackend>('corral.checkpoint-backend.v1');
