// A writer process for the multi-process test (see testkit's writeEventsOnGo).
import { writeEventsOnGo } from '@corral/testkit/writers';
import { SqliteEventBackend } from '../../src/index.js';

const [path, writer, count] = process.argv.slice(2);
const backend = new SqliteEventBackend({ path: path!, maxAgeSeconds: 0 });
backend.prune(); // open (and create the schema) before the start signal
writeEventsOnGo(backend, writer!, Number(count), () => backend.close());
