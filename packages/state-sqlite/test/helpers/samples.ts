// Sample records for the child-process helpers. The testkit suite has richer ones,
// but importing it pulls in vitest, which costs each child a second of start-up.
import { randomBytes } from 'node:crypto';
import type { ContainerConfig, ExecSession } from '@corral/core';

export const randomId = (): string => randomBytes(32).toString('hex');

export function sampleConfig(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  const id = overrides.id ?? randomId();
  return {
    id,
    name: `ctr-${id.slice(0, 12)}`,
    image: 'localhost/busybox:latest',
    imageId: 'a'.repeat(64),
    entrypoint: ['/bin/sh', '-c'],
    command: ['echo hello'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    workingDir: '/',
    user: '',
    hostname: id.slice(0, 12),
    labels: {},
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

export function sampleExecSession(containerId: string): ExecSession {
  return {
    id: randomId(),
    containerId,
    config: {
      command: ['true'],
      env: [],
      workingDir: '',
      user: '',
      terminal: false,
      attachStdin: false,
      attachStdout: true,
      attachStderr: true,
      privileged: false,
      detachKeys: '',
    },
    status: 'created',
    pid: 0,
    exitCode: null,
    createdAt: new Date().toISOString(),
  };
}
