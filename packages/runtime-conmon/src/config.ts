/** One OCI runtime the plugin may use: its binary and extra global flags. */
export interface RuntimeDefinition {
  path: string;
  flags?: string[];
}

/** The plugin's section of the engine config. */
export interface ConmonRuntimeConfig {
  /** Runtimes by name; runc, runsc and crun are found on PATH when not listed. */
  runtimes?: Record<string, RuntimeDefinition>;
  /** The runtime for containers whose config names none. */
  defaultRuntime?: string;
  conmonPath?: string;
  /**
   * Run by conmon when a container exits: argv[0] (resolved on PATH when relative),
   * then the other arguments, then the container id.
   */
  exitCommand?: string[];
  /** Log size cap in bytes for containers that set none; 0 or absent for no cap. */
  logSizeMax?: number;
}
