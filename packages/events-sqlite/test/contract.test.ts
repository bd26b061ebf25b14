import { describeEventBackendContract, fileBackendFixture } from '@corral/testkit/suites/event-backend';
import { SqliteEventBackend } from '../src/index.js';

// The suite's events are from 2023: no age limit here.
describeEventBackendContract('SqliteEventBackend', () =>
  fileBackendFixture('events.db', (path) => new SqliteEventBackend({ path, maxAgeSeconds: 0, pollIntervalMs: 20 })),
);
