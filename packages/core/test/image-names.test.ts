import { describe, expect, it } from 'vitest';
import { displayImageName, normalizeImageName } from '@corral/core';

describe('image names', () => {
  it('normalizes like podman', () => {
    expect(normalizeImageName('busybox')).toBe('localhost/busybox:latest');
    expect(normalizeImageName('library/busybox:1.36')).toBe('localhost/library/busybox:1.36');
    expect(normalizeImageName('quay.io/podman/stable')).toBe('quay.io/podman/stable:latest');
    expect(normalizeImageName('localhost:5000/x:y')).toBe('localhost:5000/x:y');
    expect(() => normalizeImageName('UPPER')).toThrow(/invalid image name/);
    expect(() => normalizeImageName('a@sha256:00')).toThrow();
  });

  it('qualifies a short name, keeps a full one, and shows an image id as it is', () => {
    expect(displayImageName('busybox')).toBe('localhost/busybox:latest');
    expect(displayImageName('docker.io/library/alpine:3')).toBe('docker.io/library/alpine:3');
    // A container created from an image id lists that id, as podman's does.
    expect(displayImageName('ac3d2766b7d1')).toBe('ac3d2766b7d1');
    expect(displayImageName('a'.repeat(64))).toBe('a'.repeat(64));
  });
});
