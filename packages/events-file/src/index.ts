export { FileEventBackend, DEFAULT_MAX_SIZE, type FileEventBackendOptions } from './file-event-backend.js';
export { createEventsFilePlugin, eventsFilePlugin, type EventsFileConfig } from './plugin.js';
export { encodeEvent, decodeEvent } from './codec.js';
