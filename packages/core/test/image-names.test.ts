import { describe, expect, it } from 'vitest';
import { displayImageName } from '@corral/core';

describe('displayImageName', () => {
  it('qualifies a short name, keeps a full one, and shows an image id as it is', () => {
    expect(displayImageName('busybox')).toBe('localhost/busybox:latest');
    expect(displayImageName('docker.io/library/alpine:3')).toBe('docker.io/library/alpine:3');
    // A container created from an image id lists that id, as podman's does.
    expect(displayImageName('ac3d2766b7d1')).toBe('ac3d2766b7d1');
    expect(displayImageName('a'.repeat(64))).toBe('a'.repeat(64));
  });
});
