import type { CorralEvent, EventFilter } from '../types/event.js';
import { token } from './token.js';

export interface EventReadOptions extends EventFilter {
  /** Keep reading new events until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface EventBackend {
  write(event: CorralEvent): Promise<void>;
  read(options?: EventReadOptions): AsyncIterable<CorralEvent>;
}
export const EventBackend = token<EventBackend>('corral.event-backend.v1');
