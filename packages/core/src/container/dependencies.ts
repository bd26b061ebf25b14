import { ContainerStateError, ErrorCode } from '../errors.js';
import type { ContainerStore } from '../contracts/state-store.js';

/**
 * The container and everything it depends on, dependencies first (a post-order walk
 * of the graph). Cycles are refused with DEPENDENCY_CYCLE naming the path.
 */
export async function dependencyOrder(store: ContainerStore, rootId: string): Promise<string[]> {
  const order: string[] = [];
  const marks = new Map<string, 'visiting' | 'done'>();
  const visit = async (id: string, path: string[]): Promise<void> => {
    const mark = marks.get(id);
    if (mark === 'done') return;
    if (mark === 'visiting') {
      throw new ContainerStateError(
        ErrorCode.DependencyCycle,
        `container dependencies form a cycle: ${[...path, id].map((p) => p.slice(0, 12)).join(' -> ')}`,
      );
    }
    marks.set(id, 'visiting');
    const config = await store.getConfig(id);
    for (const dep of config.dependencies) await visit(dep, [...path, id]);
    marks.set(id, 'done');
    order.push(id);
  };
  await visit(rootId, []);
  return order;
}
