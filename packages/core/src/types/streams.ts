import type { Readable, Writable } from 'node:stream';

/** The standard streams of an attach or exec; omit a stream to leave it unattached. */
export interface AttachStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

export interface TerminalSize {
  width: number;
  height: number;
}

export interface AttachOptions {
  /** A detach sequence like "ctrl-p,ctrl-q"; empty disables detaching. */
  detachKeys?: string;
  /** Replay the container's log before the live stream (the Docker API's logs=1). */
  logs?: boolean;
  signal?: AbortSignal;
  /**
   * Called once the attach connection is up; StartAndAttach starts the container only
   * then, so no early output is lost.
   */
  onReady?: () => void;
  /** The caller's terminal size, applied before the process starts (with a terminal). */
  size?: TerminalSize;
}

/** How an attach ended: the process exited, or the user detached. */
export type AttachEnd = { reason: 'exited' } | { reason: 'detached' } | { reason: 'closed' };
