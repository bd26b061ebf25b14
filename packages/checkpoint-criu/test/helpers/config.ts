import type { ContainerConfig } from '@corral/core';

/** A complete, valid container config as core builds it. */
import { sampleConfig as baseConfig } from '@corral/testkit/samples';

/** A complete, valid container config as core builds it, with every kind of field set. */
export function sampleConfig(overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  return baseConfig({
    id: 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'abcd',
    name: 'counter',
    imageId: 'b'.repeat(64),
    entrypoint: [],
    command: ['sh', '-c', 'while :; do sleep 1; done'],
    env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'A=b=c'],
    hostname: 'counter',
    labels: { app: 'demo' },
    network: {
      mode: 'bridge',
      attachments: [{ network: 'podman', staticIps: ['10.88.0.5'], staticMac: '', aliases: [] }],
      ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp', range: 1 }],
      dnsServers: [],
      dnsSearch: [],
      extraHosts: [],
    },
    mounts: [{ source: '/srv/data', destination: '/data', readOnly: true, options: ['rbind'] }],
    resources: { memory: 0, cpus: 0.5, pidsLimit: 0 },
    createdAt: new Date('2025-01-02T03:04:05.678Z').toISOString(),
    ...overrides,
  });
}
