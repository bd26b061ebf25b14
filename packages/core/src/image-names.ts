import { InvalidArgumentError } from './errors.js';
import type { ImageConfig } from './types/image.js';

const NAME_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+|__|--+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/**
 * podman's short-name rule without registries to search: a name without a registry
 * lives under "localhost/", a name without a tag is ":latest".
 */
export function normalizeImageName(name: string): string {
  const raw = name.trim();
  if (raw.includes('@')) throw new InvalidArgumentError(`image name "${name}": digests are not names`);
  const slash = raw.indexOf('/');
  const first = slash < 0 ? '' : raw.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let rest = hasRegistry ? raw.slice(slash + 1) : raw;
  const registry = hasRegistry ? first : 'localhost';
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!NAME_RE.test(rest) || !TAG_RE.test(tag) || !/^[a-zA-Z0-9.-]+(?::\d+)?$/.test(registry)) {
    throw new InvalidArgumentError(`invalid image name "${name}"`, { details: { name } });
  }
  return `${registry}/${rest}:${tag}`;
}

/** The normalized name, or undefined when `reference` cannot be a name (an id, say). */
export function tryNormalize(reference: string): string | undefined {
  try {
    return normalizeImageName(reference);
  } catch {
    return undefined;
  }
}

/**
 * How an image reference reads in listings: an image id as given (podman prints a
 * container made from an id with that id), else its normalized name.
 */
export function displayImageName(reference: string): string {
  if (/^[0-9a-f]{12,64}$/.test(reference)) return reference;
  return tryNormalize(reference) ?? reference;
}

/** The subset of an OCI image config (`config` of the JSON) that container creation honours. */
export function imageConfigFromOci(oci: { config?: Record<string, any> } | undefined): ImageConfig {
  const c = oci?.config ?? {};
  return {
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
    labels: c.Labels ?? {},
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    stopSignal: c.StopSignal ?? '',
  };
}
