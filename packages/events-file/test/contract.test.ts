import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEventBackendContract } from '@corral/testkit/suites/event-backend';
import { FileEventBackend } from '../src/index.js';

describeEventBackendContract('FileEventBackend', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-file-'));
  const file = path.join(dir, 'events.log');
  const opened: FileEventBackend[] = [];
  const make = (): FileEventBackend => {
    const b = new FileEventBackend({ path: file, pollIntervalMs: 20 });
    opened.push(b);
    return b;
  };
  return {
    backend: make(),
    reopen: make,
    cleanup: () => {
      for (const b of opened) b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The same contract with a maxSize that only the suite's 300-event follow test crosses
// (retention would rightly drop events the other tests read back).
describeEventBackendContract('FileEventBackend rotating', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-file-'));
  const file = path.join(dir, 'events.log');
  const opened: FileEventBackend[] = [];
  const make = (): FileEventBackend => {
    const b = new FileEventBackend({ path: file, maxSize: 48 * 1024, pollIntervalMs: 20 });
    opened.push(b);
    return b;
  };
  return {
    backend: make(),
    reopen: make,
    cleanup: () => {
      for (const b of opened) b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
