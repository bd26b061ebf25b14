import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { release } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { PluginSkipError } from '@corral/core';

export interface CriuInfo {
  path: string;
  /** "4.2.1" */
  version: string;
  /** Why some checkpoints will fail although `criu check` passed, when known. */
  limitation?: string;
}

/** Where tools/setup-criu.sh installs its wrapper. */
export const DEFAULT_CRIU_PATH = '/opt/corral/criu/bin/criu';
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Makes sure CRIU can checkpoint on this machine: the binary runs and `criu check`
 * passes (it probes the kernel: vDSO, namespaces, soft-dirty tracking...). Anything else
 * is a PluginSkipError whose reason says what failed, e.g. "criu 3.17.1 at /usr/sbin/criu
 * fails on this kernel: vdso: Failed to fill self vdso symtable".
 */
export async function probeCriu(configured: string): Promise<CriuInfo> {
  const path = await resolveCriu(configured);
  // Loaded here, not at the top: the probe's verdict is cached (probe-cache.ts), so most
  // engine starts never run CRIU and should not pay for loading execa.
  const { execa } = await import('execa');
  const version = await execa(path, ['--version'], { timeout: PROBE_TIMEOUT_MS, reject: false, all: true });
  if (version.exitCode !== 0) {
    throw new PluginSkipError(`CRIU at ${path} does not run: ${firstLine(version.all) || version.shortMessage}`, {
      details: { criuPath: path },
    });
  }
  const v = /Version:\s*(\S+)/.exec(version.stdout)?.[1] ?? 'unknown';
  if (process.getuid?.() !== 0) {
    throw new PluginSkipError(`criu ${v} at ${path} needs root to checkpoint, and this process is not root`, { details: { criuPath: path } });
  }
  const check = await execa(path, ['check'], { timeout: PROBE_TIMEOUT_MS, reject: false, all: true });
  if (check.exitCode !== 0) {
    throw new PluginSkipError(`criu ${v} at ${path} fails on this kernel: ${criuError(check.all) || check.shortMessage}`, {
      details: { criuPath: path, version: v, output: check.all },
    });
  }
  const limitation = knownLimitation(v, release());
  return { path, version: v, ...(limitation ? { limitation } : {}) };
}

/**
 * Kernels from 6.16 on refuse SO_PASSCRED/SO_PASSSEC on inet sockets, and CRIU before 4.2
 * fails to dump any process holding one (checkpoint-restore/criu#2705); `criu check` does
 * not notice.
 */
export function knownLimitation(criuVersion: string, kernelRelease: string): string | undefined {
  const [cMajor = 0, cMinor = 0] = criuVersion.split('.').map(Number);
  const [kMajor = 0, kMinor = 0] = kernelRelease.split(/[.-]/).map(Number);
  const oldCriu = cMajor < 4 || (cMajor === 4 && cMinor < 2);
  const newKernel = kMajor > 6 || (kMajor === 6 && kMinor >= 16);
  if (oldCriu && newKernel) {
    return `criu ${criuVersion} cannot checkpoint processes holding TCP or UDP sockets on kernel ${kernelRelease} (needs CRIU 4.2 or later)`;
  }
  return undefined;
}

async function resolveCriu(configured: string): Promise<string> {
  const candidates = isAbsolute(configured) ? [configured] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, configured));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw new PluginSkipError(
    `CRIU not found at ${configured}${isAbsolute(configured) ? '' : ' on PATH'}: install it with tools/setup-criu.sh or set the plugin's criuPath`,
    { details: { criuPath: configured } },
  );
}

/** CRIU's first "Error (file:line): message" line, which names the failing feature. */
function criuError(output: string | undefined): string {
  for (const line of (output ?? '').split('\n')) {
    const m = /^Error \([^)]*\):\s*(.*)$/.exec(line.trim());
    if (m) return m[1]!;
  }
  return firstLine(output);
}

function firstLine(output: string | undefined): string {
  return (output ?? '').split('\n').find((l) => l.trim())?.trim() ?? '';
}
