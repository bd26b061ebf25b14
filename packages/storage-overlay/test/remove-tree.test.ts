import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from '../src/remove-tree.js';

describe('removeTree', () => {
  const root = mkdtempSync(join(tmpdir(), 'corral-remove-tree-'));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('removes a small tree, a large one and nothing at all alike', async () => {
    const small = join(root, 'small');
    mkdirSync(join(small, 'upper', 'etc'), { recursive: true });
    mkdirSync(join(small, 'work', 'work'), { recursive: true });
    writeFileSync(join(small, 'upper', 'etc', 'hosts'), '127.0.0.1 localhost\n');
    await removeTree(small);
    expect(existsSync(small)).toBe(false);

    // Past the synchronous limit, in nested directories.
    const large = join(root, 'large');
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(large, `d${d}`), { recursive: true });
      for (let f = 0; f < 40; f++) writeFileSync(join(large, `d${d}`, `f${f}`), 'x');
    }
    await removeTree(large);
    expect(existsSync(large)).toBe(false);

    await expect(removeTree(join(root, 'missing'))).resolves.toBeUndefined();
  });

  it('removes a symlink to a directory, not what it points at', async () => {
    const target = join(root, 'target');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'keep'), 'x');
    const tree = join(root, 'tree');
    mkdirSync(tree);
    symlinkSync(target, join(tree, 'link'));
    await removeTree(tree);
    expect(existsSync(tree)).toBe(false);
    expect(existsSync(join(target, 'keep'))).toBe(true);
  });
});
