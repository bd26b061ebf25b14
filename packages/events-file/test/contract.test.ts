import { describeEventBackendContract, fileBackendFixture } from '@corral/testkit/suites/event-backend';
import { FileEventBackend } from '../src/index.js';

describeEventBackendContract('FileEventBackend', () => fileBackendFixture('events.log', (path) => new FileEventBackend({ path, pollIntervalMs: 20 })));

// The same contract with a maxSize that only the suite's 300-event follow test crosses
// (retention would rightly drop events the other tests read back).
describeEventBackendContract('FileEventBackend rotating', () =>
  fileBackendFixture('events.log', (path) => new FileEventBackend({ path, maxSize: 48 * 1024, pollIntervalMs: 20 })),
);
