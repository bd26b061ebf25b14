import { readFile, stat, writeFile, rename } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
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

async function keyOf(criuPath: string): Promise<string | undefined> {
  try {
    const real = await realpath(criuPath);
    const st = await stat(real);
    return JSON.stringify([real, st.ino, st.size, st.mtimeMs, release()]);
  } catch {
    return undefined; // not installed: probe every time, so an install is seen at once
  }
}

export async function cachedProbe(runDir: string, criuPath: string, probe: () => Promise<CriuInfo>): Promise<CriuInfo> {
  const file = join(runDir, 'criu-probe.json');
  const key = await keyOf(criuPath);
  if (key) {
    const cached = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as Verdict,
      () => undefined,
    );
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
