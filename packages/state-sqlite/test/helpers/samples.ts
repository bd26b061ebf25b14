// The child-process helpers import the vitest-free samples, not the contract suite.
export { randomId, sampleConfig, sampleExecSession } from '@corral/testkit/samples';
