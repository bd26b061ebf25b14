import { ErrorCode, PluginError } from '../errors.js';
import { tokenName, type Token } from '../contracts/token.js';
import type { Plugin } from './plugin.js';

/**
 * Orders plugins so that every provider comes before the plugins that require or
 * optionally use its contracts. Rejects two providers of one contract, names every
 * missing contract in one error, and refuses cycles.
 */
export function orderPlugins(plugins: readonly Plugin[], builtIn: readonly Token<unknown>[] = []): Plugin[] {
  const ids = new Set<string>();
  for (const p of plugins) {
    if (ids.has(p.id)) throw new PluginError(ErrorCode.DuplicateProvider, `plugin "${p.id}" is listed twice`);
    ids.add(p.id);
  }

  const provider = new Map<symbol, Plugin>();
  for (const p of plugins) {
    for (const t of p.provides) {
      const other = provider.get(t);
      if (other || builtIn.includes(t)) {
        throw new PluginError(
          ErrorCode.DuplicateProvider,
          `contract ${tokenName(t)} is provided by both "${other?.id ?? 'the kernel'}" and "${p.id}"; choose one`,
          { details: { contract: tokenName(t), plugins: [other?.id ?? 'kernel', p.id] } },
        );
      }
      provider.set(t, p);
    }
  }

  const missing = new Map<symbol, string[]>();
  for (const p of plugins) {
    for (const t of p.requires ?? []) {
      if (provider.has(t) || builtIn.includes(t)) continue;
      missing.set(t, [...(missing.get(t) ?? []), p.id]);
    }
  }
  if (missing.size > 0) {
    const list = [...missing].map(([t, by]) => `${tokenName(t)} (required by ${by.join(', ')})`);
    throw new PluginError(ErrorCode.MissingContract, `missing contracts: ${list.join('; ')}`, {
      details: { missing: [...missing.keys()].map(tokenName) },
    });
  }

  const ordered: Plugin[] = [];
  const mark = new Map<Plugin, 'visiting' | 'done'>();
  const visit = (p: Plugin, path: string[]): void => {
    const m = mark.get(p);
    if (m === 'done') return;
    if (m === 'visiting') {
      throw new PluginError(ErrorCode.PluginCycle, `plugins depend on each other in a cycle: ${[...path, p.id].join(' -> ')}`);
    }
    mark.set(p, 'visiting');
    for (const t of [...(p.requires ?? []), ...(p.optional ?? [])]) {
      const dep = provider.get(t);
      if (dep && dep !== p) visit(dep, [...path, p.id]);
    }
    mark.set(p, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}
