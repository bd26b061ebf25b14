import type { Tracer } from '@opentelemetry/api';
import type { CheckpointBackend } from '../contracts/checkpoint-backend.js';
import type { EventBackend } from '../contracts/event-backend.js';
import type { ImageStore } from '../contracts/image-store.js';
import type { LockManager } from '../contracts/lock-manager.js';
import type { Logger } from '../contracts/logger.js';
import type { NetworkBackend } from '../contracts/network-backend.js';
import type { OciRuntime } from '../contracts/oci-runtime.js';
import type { RootfsStore } from '../contracts/rootfs-store.js';
import type { StateStore } from '../contracts/state-store.js';

/** The contracts and settings container operations act through; one per engine. */
export interface EngineServices {
  readonly store: StateStore;
  readonly locks: LockManager;
  readonly runtime: OciRuntime;
  readonly rootfs: RootfsStore;
  readonly images: ImageStore;
  readonly events: EventBackend;
  /** Absent when no network plugin is assembled: only modes none and host work then. */
  readonly network?: NetworkBackend;
  /** Absent when no checkpoint plugin is assembled (or it skipped itself). */
  readonly checkpoint?: CheckpointBackend;
  readonly logger: Logger;
  readonly tracer: Tracer;
  /** The engine's own persistent directory (artifacts, checkpoints): <root>/engine. */
  readonly engineDir: string;
}
