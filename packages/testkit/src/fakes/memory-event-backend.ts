import type { CorralEvent, EventBackend, EventReadOptions } from '@corral/core';
import { eventMatcher } from '@corral/core/events/filter';
import { nowNano } from '@corral/core/events/time';

function copyEvent(event: CorralEvent): CorralEvent {
  return { ...event, attributes: { ...event.attributes } };
}

/**
 * An EventBackend in memory: events come back in the order they were written,
 * filtered by the same rules as the real backends; `follow` wakes on each write and
 * ends when the signal aborts (or when the clock passes `until`).
 */
export class MemoryEventBackend implements EventBackend {
  readonly #events: CorralEvent[] = [];
  #wakers = new Set<() => void>();

  /** Everything written so far, oldest first (copies). */
  get events(): CorralEvent[] {
    return this.#events.map(copyEvent);
  }

  async write(event: CorralEvent): Promise<void> {
    this.#events.push(copyEvent(event));
    const wakers = this.#wakers;
    this.#wakers = new Set();
    for (const wake of wakers) wake();
  }

  async *read(options: EventReadOptions = {}): AsyncIterable<CorralEvent> {
    const matches = eventMatcher(options);
    const { signal, follow, until } = options;
    let next = 0;
    for (;;) {
      while (next < this.#events.length) {
        if (signal?.aborted) return;
        const event = this.#events[next++]!;
        if (matches(event)) yield copyEvent(event);
      }
      if (!follow || signal?.aborted) return;
      if (until !== undefined && nowNano() > until) return;
      await this.#waitForWrite(signal, until);
    }
  }

  #waitForWrite(signal: AbortSignal | undefined, until: bigint | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.#wakers.delete(done);
        signal?.removeEventListener('abort', done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.#wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
      if (until !== undefined) {
        const ms = Number((until - nowNano()) / 1_000_000n) + 1;
        timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      }
    });
  }
}
