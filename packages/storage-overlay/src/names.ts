/** True when `reference` could only be an image id or an id prefix. */
export function looksLikeId(reference: string): boolean {
  return /^(sha256:)?[0-9a-f]{3,64}$/.test(reference);
}

/**
 * Whether a stored full name matches a short reference the way podman resolves it
 * without search registries: "busybox" and "busybox:latest" match "x.io/busybox:latest",
 * "lib/busybox:1" matches "x.io/lib/busybox:1".
 */
export function shortNameMatches(fullName: string, reference: string): boolean {
  const withTag = reference.slice(reference.lastIndexOf('/') + 1).includes(':') ? reference : `${reference}:latest`;
  return fullName.endsWith(`/${withTag}`);
}
