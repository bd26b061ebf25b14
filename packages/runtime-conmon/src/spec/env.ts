export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Merges KEY=VALUE lists, later entries winning by key, first-seen order kept. */
export function mergeEnv(...lists: string[][]): string[] {
  const byKey = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list) {
      const eq = entry.indexOf('=');
      byKey.set(eq < 0 ? entry : entry.slice(0, eq), entry);
    }
  }
  return [...byKey.values()];
}

/** Adds the variables a process expects when the image and the user left them out. */
export function withDefaults(env: string[], defaults: Record<string, string>): string[] {
  const keys = new Set(env.map((e) => e.split('=', 1)[0]));
  const extra = Object.entries(defaults)
    .filter(([k]) => !keys.has(k))
    .map(([k, v]) => `${k}=${v}`);
  return [...env, ...extra];
}
