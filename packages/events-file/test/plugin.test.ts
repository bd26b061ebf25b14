import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBackend, Kernel, silentLogger as logger } from '@corral/core';
import { makeEvent } from '@corral/testkit/suites/event-backend';
import { createEventsFilePlugin } from '../src/index.js';


describe('events-file plugin', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('provides EventBackend, logging to <runRoot>/events-file/events.log by default', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-plugin-'));
    const kernel = await Kernel.assemble({
      plugins: [createEventsFilePlugin()],
      root: path.join(dir, 'root'),
      runRoot: path.join(dir, 'run'),
      logger,
    });
    const events = kernel.get(EventBackend);
    await events.write(makeEvent(1));
    expect(fs.existsSync(path.join(dir, 'run', 'events-file', 'events.log'))).toBe(true);
    const got = [];
    for await (const e of events.read()) got.push(e);
    expect(got).toEqual([makeEvent(1)]);
    await kernel.stop();
  });

  it('takes path and maxSize from its config section', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-events-plugin-'));
    const file = path.join(dir, 'custom', 'ev.log');
    const kernel = await Kernel.assemble({
      plugins: [createEventsFilePlugin()],
      config: { 'events-file': { path: file, maxSize: 4096 } },
      root: path.join(dir, 'root'),
      runRoot: path.join(dir, 'run'),
      logger,
    });
    const events = kernel.get(EventBackend);
    for (let n = 0; n < 50; n++) await events.write(makeEvent(n));
    expect(fs.statSync(file).size).toBeLessThan(4096 + 512);
    await kernel.stop();
  });
});
