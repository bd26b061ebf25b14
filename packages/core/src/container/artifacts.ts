import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorralError, ErrorCode, InvalidArgumentError } from '../errors.js';
import type { ContainerHandle } from './handle.js';

/**
 * Artifact names are untrusted: a name is one path component, never empty, ".", "..",
 * nor holding "/" or NUL, so an artifact cannot land outside the container's directory.
 */
export function validateArtifactName(name: string): void {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > 255 ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0')
  ) {
    throw new InvalidArgumentError(`invalid artifact name ${JSON.stringify(name)}: it must be one path component`, {
      details: { name },
    });
  }
}

function artifactPath(h: ContainerHandle, name: string): string {
  validateArtifactName(name);
  return join(h.services.engineDir, 'containers', h.config.id, 'artifacts', name);
}

export async function addArtifact(h: ContainerHandle, name: string, data: Uint8Array | string): Promise<void> {
  const path = artifactPath(h, name);
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFile(path, data, { mode: 0o600 });
}

export async function getArtifact(h: ContainerHandle, name: string): Promise<Buffer> {
  try {
    return await readFile(artifactPath(h, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CorralError(ErrorCode.NoSuchArtifact, `container ${h.config.name} has no artifact ${name}`, { cause: err });
    }
    throw err;
  }
}

export async function removeArtifact(h: ContainerHandle, name: string): Promise<void> {
  await rm(artifactPath(h, name), { force: true });
}
