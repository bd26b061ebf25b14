export { CriuCheckpointBackend, type CriuBackendOptions } from './criu-backend.js';
export { createCheckpointCriuPlugin, checkpointCriuPlugin, type CheckpointCriuConfig } from './plugin.js';
export { probeCriu, knownLimitation, DEFAULT_CRIU_PATH, type CriuInfo } from './criu-probe.js';
export { exportArchive, type ArchiveCompression } from './archive-export.js';
export { importArchive } from './archive-import.js';
export { DEFAULT_ARCHIVE_LIMITS, resolveLimits, type ArchiveLimits } from './limits.js';
export { validateContainerConfig, ConfigShapeError } from './config-validation.js';
export { checkDeletedFiles } from './deleted-files.js';
export * from './archive-layout.js';
