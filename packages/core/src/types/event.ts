export type EventType = 'container' | 'image' | 'network' | 'system' | 'exec' | 'volume';

export interface CorralEvent {
  /** Nanoseconds since the epoch, as a bigint-safe decimal string is awkward: use a bigint. */
  timeNano: bigint;
  type: EventType;
  /** create, init, start, attach, exec, exec_died, died, stop, kill, pause, unpause, ... */
  action: string;
  /** Container, image or network id. */
  id: string;
  name: string;
  image: string;
  exitCode?: number;
  /** Labels and extra attributes (signal, execID). */
  attributes: Record<string, string>;
  error?: string;
}

export interface EventFilter {
  since?: bigint;
  until?: bigint;
  /** key -> values; values of one key are ORed, different keys are ANDed. */
  filters?: Record<string, string[]>;
}
