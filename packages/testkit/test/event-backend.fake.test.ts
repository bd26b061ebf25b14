import { describe, expect, it } from 'vitest';
import { MemoryEventBackend } from '../src/fakes/memory-event-backend.js';
import { describeEventBackendContract, makeEvent } from '../src/suites/event-backend.js';

describeEventBackendContract('MemoryEventBackend', () => ({ backend: new MemoryEventBackend() }));

describe('MemoryEventBackend', () => {
  it('exposes what was written through `events`, as copies', async () => {
    const backend = new MemoryEventBackend();
    const e = makeEvent(1, { attributes: { a: 'b' } });
    await backend.write(e);
    e.attributes.a = 'changed';
    expect(backend.events).toEqual([makeEvent(1, { attributes: { a: 'b' } })]);
    backend.events[0]!.name = 'x';
    expect(backend.events[0]!.name).toBe('ctr-1');
  });
});
