import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ContainerStatus as S,
  NetworkBackend,
  RuntimeError,
  type NetworkSetupRequest,
  type NetworkSetupResult,
  type NetworkSetupStage,
  type RuntimeCreateRequest,
} from '@corral/core';
import { createTestEngine, valuePlugin, type TestEngine } from '@corral/testkit';

/** A network backend whose second setup step finishes when the test says so. */
class GatedNetwork {
  readonly torn: string[] = [];
  staged = true;
  #finish: { resolve: () => void; reject: (err: Error) => void } | undefined;

  async setup(request: NetworkSetupRequest): Promise<NetworkSetupResult> {
    return this.#result(request);
  }

  async setupStaged(request: NetworkSetupRequest): Promise<NetworkSetupStage> {
    const result = this.#result(request);
    const gate = new Promise<void>((resolve, reject) => (this.#finish = { resolve, reject }));
    return { netnsPath: result.netnsPath, etcFiles: result.etcFiles, finish: () => gate.then(() => result) };
  }

  async teardown(request: { containerId: string }): Promise<void> {
    this.torn.push(request.containerId);
  }

  async refresh(): Promise<{ tornDown: string[]; released: string[] }> {
    return { tornDown: [], released: [] };
  }

  open(): void {
    this.#finish!.resolve();
  }

  fail(err: Error): void {
    this.#finish!.reject(err);
  }

  #result(request: NetworkSetupRequest): NetworkSetupResult {
    return { netnsPath: `/run/netns/${request.containerId}`, etcFiles: { hosts: `/etc-files/${request.containerId}/hosts` }, status: { ip: '10.0.0.2' } };
  }
}

describe('network setup in two steps', () => {
  let t: TestEngine | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  async function engineWith(network: GatedNetwork): Promise<TestEngine> {
    const backend = network.staged
      ? network
      : { setup: network.setup.bind(network), teardown: network.teardown.bind(network), refresh: network.refresh.bind(network) };
    t = await createTestEngine({ extra: [valuePlugin('gated-network', NetworkBackend, backend)] });
    return t;
  }

  it('creates the runtime container while the network finishes, and is Created only after both', async () => {
    const network = new GatedNetwork();
    const te = await engineWith(network);
    const ctr = await te.engine.createContainer({ image: 'test' });
    expect(ctr.config.network.mode).toBe('bridge');
    const init = ctr.init();
    await vi.waitFor(() => expect(te.runtime.callsOf('create')).toHaveLength(1));
    const request: RuntimeCreateRequest = te.runtime.containers.get(ctr.id)!.request;
    expect(request.netnsPath).toBe(`/run/netns/${ctr.id}`);
    expect(request.etcFiles.hosts).toBe(`/etc-files/${ctr.id}/hosts`);
    expect(request.networkReady).toBeInstanceOf(Promise);
    await new Promise((r) => setTimeout(r, 20));
    expect(ctr.cachedState.status).toBe(S.Configured);

    network.open();
    await init;
    const state = await ctr.sync();
    expect(state.status).toBe(S.Created);
    expect(state.netnsPath).toBe(`/run/netns/${ctr.id}`);
    expect(state.networkStatus).toEqual({ ip: '10.0.0.2' });
  });

  it('undoes the runtime container and the network when the second step fails', async () => {
    const network = new GatedNetwork();
    const te = await engineWith(network);
    const ctr = await te.engine.createContainer({ image: 'test' });
    const init = ctr.init();
    await vi.waitFor(() => expect(te.runtime.callsOf('create')).toHaveLength(1));
    network.fail(new RuntimeError('netavark setup failed: injected'));
    await expect(init).rejects.toThrow(/injected/);
    expect(te.runtime.containers.has(ctr.id)).toBe(false);
    expect(network.torn).toEqual([ctr.id]);
    const state = await ctr.sync();
    expect(state.status).toBe(S.Configured);
    expect(state.netnsPath).toBe('');
  });

  it('takes a backend without the two-step setup as it is', async () => {
    const network = new GatedNetwork();
    network.staged = false;
    const te = await engineWith(network);
    const ctr = await te.engine.createContainer({ image: 'test' });
    await ctr.init();
    const state = await ctr.sync();
    expect(state.status).toBe(S.Created);
    expect(state.networkStatus).toEqual({ ip: '10.0.0.2' });
  });
});
