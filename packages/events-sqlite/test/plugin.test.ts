import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBackend, Kernel, silentLogger as logger } from '@corral/core';
import { makeEvent } from '@corral/testkit/suites/event-backend';
import { createEventsSqlitePlugin } from '../src/index.js';


describe('events-sqlite plugin', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('provides EventBackend, stored in <root>/events-sqlite/events.db by default', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-sqlite-plugin-'));
    const kernel = await Kernel.assemble({
      plugins: [createEventsSqlitePlugin()],
      config: { 'events-sqlite': { maxAgeSeconds: 0 } },
      root: path.join(dir, 'root'),
      runRoot: path.join(dir, 'run'),
      logger,
    });
    const events = kernel.get(EventBackend);
    await events.write(makeEvent(1));
    expect(fs.existsSync(path.join(dir, 'root', 'events-sqlite', 'events.db'))).toBe(true);
    const got = [];
    for await (const e of events.read()) got.push(e);
    expect(got).toEqual([makeEvent(1)]);
    await kernel.stop();
  });

  it('takes path and retention from its config section', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-sqlite-plugin-'));
    const file = path.join(dir, 'custom', 'ev.db');
    const kernel = await Kernel.assemble({
      plugins: [createEventsSqlitePlugin()],
      config: { 'events-sqlite': { path: file, maxEvents: 10, maxAgeSeconds: 0 } },
      root: path.join(dir, 'root'),
      runRoot: path.join(dir, 'run'),
      logger,
    });
    const events = kernel.get(EventBackend);
    for (let n = 0; n < 200; n++) await events.write(makeEvent(n));
    expect(fs.existsSync(file)).toBe(true);
    let count = 0;
    for await (const _ of events.read()) count++;
    expect(count).toBe(10);
    await kernel.stop();
  });
});
