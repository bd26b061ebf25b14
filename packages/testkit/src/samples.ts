// Sample records for tests, benchmarks and child-process helpers. No vitest here:
// a child process that imports this starts in milliseconds, not a second.
import { randomBytes } from 'node:crypto';
import { newExecConfig, type ContainerConfig, type ExecSession, type NetworkDefinition } from '@corral/core';

export function randomId(): string {
  return randomBytes(32).toString('hex');
}

/** A complete, valid container config; tests override what they care about. */
export function sampleConfig(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  const id = overrides.id ?? randomId();
  return {
    id,
    name: `ctr-${id.slice(0, 12)}`,
    image: 'localhost/busybox:latest',
    imageId: 'a'.repeat(64),
    entrypoint: ['/bin/sh', '-c'],
    command: ['echo hello'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    workingDir: '/',
    user: '',
    hostname: id.slice(0, 12),
    labels: { app: 'test', 'io.corral.tier': 'unit' },
    annotations: {},
    terminal: false,
    stdin: false,
    stopSignal: 15,
    stopTimeout: 10,
    restartPolicy: { name: 'no', maxRetries: 0 },
    autoRemove: false,
    network: { mode: 'none', attachments: [], ports: [], dnsServers: [], dnsSearch: [], extraHosts: [] },
    mounts: [],
    resources: { memory: 0, cpus: 0, pidsLimit: 0 },
    runtime: 'runc',
    logDriver: 'k8s-file',
    logSizeMax: 0,
    readOnly: false,
    capAdd: [],
    capDrop: [],
    privileged: false,
    dependencies: [],
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function sampleExecSession(containerId: string, overrides: Partial<ExecSession> = {}): ExecSession {
  return {
    id: randomId(),
    containerId,
    config: newExecConfig({ command: ['ls', '-l'] }),
    status: 'created',
    pid: 0,
    exitCode: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function sampleNetwork(overrides: Partial<NetworkDefinition> = {}): NetworkDefinition {
  const id = overrides.id ?? randomId();
  return {
    name: `net-${id.slice(0, 8)}`,
    id,
    driver: 'bridge',
    interface: `corral${id.slice(0, 4)}`,
    subnets: [{ subnet: '10.89.0.0/24', gateway: '10.89.0.1' }],
    internal: false,
    dnsEnabled: true,
    labels: {},
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}
