// A writer process for the multi-process tests (see testkit's writeEventsOnGo).
import { writeEventsOnGo } from '@corral/testkit/writers';
import { FileEventBackend } from '../../src/index.js';

const [path, writer, count, maxSize] = process.argv.slice(2);
const backend = new FileEventBackend({ path: path!, maxSize: Number(maxSize) });
writeEventsOnGo(backend, writer!, Number(count), () => backend.close());
