/** The `config` section of an OCI/Docker image config, as stored. */
export interface OciRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  OnBuild?: string[];
  [key: string]: unknown;
}

/** An OCI image config (application/vnd.oci.image.config.v1+json). */
export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  config?: OciRuntimeConfig;
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [key: string]: unknown;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** The config of an imported root filesystem, as podman import writes it. */
export function rootfsImageConfig(diffId: string, config: OciRuntimeConfig, created: string, message?: string): OciImageConfig {
  return {
    created,
    architecture: ARCH[process.arch] ?? process.arch,
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: '/bin/sh -c #(nop) ADD file in / ', ...(message ? { comment: message } : {}) }],
  };
}

/** Parses and checks the parts of an image config the store relies on. */
export function parseImageConfig(bytes: Buffer, where: string): OciImageConfig {
  const json = JSON.parse(bytes.toString('utf8')) as OciImageConfig;
  if (!json || typeof json !== 'object' || !json.rootfs || !Array.isArray(json.rootfs.diff_ids)) {
    throw new Error(`${where}: not an image config (no rootfs.diff_ids)`);
  }
  for (const d of json.rootfs.diff_ids) {
    if (typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d)) throw new Error(`${where}: invalid diff id ${JSON.stringify(d)}`);
  }
  return json;
}
