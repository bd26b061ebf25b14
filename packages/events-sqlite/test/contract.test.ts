import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEventBackendContract } from '@corral/testkit/suites/event-backend';
import { SqliteEventBackend } from '../src/index.js';

describeEventBackendContract('SqliteEventBackend', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-sqlite-'));
  const file = path.join(dir, 'events.db');
  const opened: SqliteEventBackend[] = [];
  // The suite's events are from 2023: no age limit here.
  const make = (): SqliteEventBackend => {
    const b = new SqliteEventBackend({ path: file, maxAgeSeconds: 0, pollIntervalMs: 20 });
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
