import { readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { PluginSkipError } from '@corral/core';
import type { CriuInfo } from './criu-probe.js';

/**
 * Every engine start would run `criu --version` and `criu check` (about 70 ms) — on the
 * hot path of every CLI command. The verdict only changes when the binary or the kernel
 * does, so it is kept in the plugin's run directory (gone at reboot), keyed by both.
 */
interface Verdict {
  key: string;
  info?: CriuInfo;
  skip?: string;
}

// The lookups on the hot path are synchronous: each is one small local file, and an
// fs/promises call costs a thread-pool round trip (~0.3 ms) of every command's start.
function keyOf(criuPath: string): string | undefined {
  try {
    const real = realpathSync(criuPath);
    const st = statSync(real);
    return JSON.stringify([real, st.ino, st.size, st.mtimeMs, release()]);
  } catch {
    return undefined; // not installed: probe every time, so an install is seen at once
  }
}

function readVerdict(file: string): Verdict | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Verdict;
  } catch {
    return undefined;
  }
}

export async function cachedProbe(runDir: string, criuPath: string, probe: () => Promise<CriuInfo>): Promise<CriuInfo> {
  const file = join(runDir, 'criu-probe.json');
  const key = keyOf(criuPath);
  if (key) {
    const cached = readVerdict(file);
    if (cached?.key === key) {
      if (cached.skip) throw new PluginSkipError(cached.skip);
      if (cached.info) return cached.info;
    }
  }
  let verdict: Verdict;
  try {
    verdict = { key: key ?? '', info: await probe() };
  } catch (err) {
    if (!(err instanceof PluginSkipError) || !key) throw err;
    verdict = { key, skip: err.message };
  }
  if (key) {
    const tmp = `${file}.${process.pid}`;
    await writeFile(tmp, JSON.stringify(verdict));
    await rename(tmp, file);
  }
  if (verdict.skip) throw new PluginSkipError(verdict.skip);
  return verdict.info!;
}
