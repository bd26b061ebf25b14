import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ContainerStatus, Kernel, StateStore, initialState, silentLogger as silent } from '@corral/core';
import { sampleConfig } from '@corral/testkit/suites/state-store';
import { createStateSqlitePlugin, stateSqlitePlugin } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corral-state-plugin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('provides the StateStore in <stateDir>/state.db by default', async () => {
  const kernel = await Kernel.assemble({
    plugins: [createStateSqlitePlugin()],
    root: join(dir, 'lib'),
    runRoot: join(dir, 'run'),
    logger: silent,
  });
  const store = kernel.get(StateStore);
  await store.containers.add(sampleConfig({ name: 'x' }), initialState(ContainerStatus.Configured));
  await access(join(dir, 'lib', 'state-sqlite', 'state.db'));
  await kernel.stop();
});

it('takes the database path from its config; two engines sharing the plugin value share no connection', async () => {
  const path = join(dir, 'custom', 'corral.db');
  const assemble = () =>
    Kernel.assemble({
      plugins: [stateSqlitePlugin],
      config: { 'state-sqlite': { path } },
      root: join(dir, 'lib'),
      runRoot: join(dir, 'run'),
      logger: silent,
    });
  const [one, two] = await Promise.all([assemble(), assemble()]);
  expect(one.get(StateStore)).not.toBe(two.get(StateStore));
  await one.get(StateStore).containers.add(sampleConfig({ name: 'seen-by-both' }), initialState(ContainerStatus.Configured));
  expect(await two.get(StateStore).containers.lookup('seen-by-both')).toHaveLength(64);
  await one.stop();
  expect(await two.get(StateStore).containers.list()).toHaveLength(1);
  await two.stop();
});
