/** An image's runtime defaults, the subset of the OCI image config create honours. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  stopSignal: string;
}

export interface ImageSummary {
  /** sha256 hex of the image config. */
  id: string;
  /** Fully qualified names ("localhost/busybox:latest"). */
  names: string[];
  digest: string;
  /** Layer digests (diff ids), bottom first. */
  layers: string[];
  size: number;
  createdAt: string;
  config: ImageConfig;
}

export function emptyImageConfig(): ImageConfig {
  return { entrypoint: [], cmd: [], env: [], workingDir: '', user: '', labels: {}, exposedPorts: [], stopSignal: '' };
}
