import { afterAll } from 'vitest';
import { describeOciRuntimeContract } from '@corral/testkit/suites/oci-runtime';
import { makeRootfs, realHarness, scriptToCommand } from './helpers.js';

const image = makeRootfs();
afterAll(() => image.remove());

describeOciRuntimeContract('runtime-conmon with runc', () => {
  const h = realHarness(image.rootfs);
  return { ...h, execCommand: scriptToCommand };
});
