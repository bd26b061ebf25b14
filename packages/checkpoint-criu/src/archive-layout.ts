/**
 * podman's checkpoint archive layout: the CRIU images under checkpoint/, the container's
 * config and OCI spec, its network status, the root filesystem's changes and the log.
 * Nothing else may appear at the top level of an archive we import.
 */
export const CHECKPOINT_DIR = 'checkpoint';
export const CONFIG_DUMP = 'config.dump';
export const SPEC_DUMP = 'spec.dump';
export const NETWORK_STATUS = 'network.status';
export const ROOTFS_DIFF = 'rootfs-diff.tar';
export const DELETED_FILES = 'deleted.files';
export const CONTAINER_LOG = 'ctr.log';

/** Top-level files read into memory and validated before anything is written. */
export const METADATA_FILES: ReadonlySet<string> = new Set([CONFIG_DUMP, SPEC_DUMP, NETWORK_STATUS, DELETED_FILES]);
/** Top-level regular files allowed besides checkpoint/. */
export const TOP_LEVEL_FILES: ReadonlySet<string> = new Set([...METADATA_FILES, ROOTFS_DIFF, CONTAINER_LOG]);
/** Every CRIU dump starts with this image; an archive without it cannot be restored. */
export const CRIU_INVENTORY = 'inventory.img';
