import type { EventBackend } from './contracts/event-backend.js';
import type { CorralEvent } from './types/event.js';

/** Events go nowhere and reading finds none: for engines that do not log events. */
export class NullEventBackend implements EventBackend {
  async write(_event: CorralEvent): Promise<void> {}
  async *read(): AsyncIterable<CorralEvent> {}
}
