import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ContainerStatus,
  CorralError,
  ErrorCode,
  initialState,
  type ContainerConfig,
  type ContainerState,
  type ExecSession,
  type StateStore,
} from '@corral/core';

export interface StateStoreHarness {
  store: StateStore;
  /** Closes the store and removes whatever the factory created. */
  cleanup(): Promise<void>;
}

export { randomId, sampleConfig, sampleExecSession, sampleNetwork } from '../samples.js';
import { randomId, sampleConfig, sampleExecSession, sampleNetwork } from '../samples.js';

/** Resolves to the error code of a rejected call; fails the test when it resolves. */
export async function codeOfRejection(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (err) {
    expect(err).toBeInstanceOf(CorralError);
    return (err as CorralError).code;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviour every StateStore must show. `factory` returns a fresh, empty store
 * (and its cleanup) for each test.
 */
export function describeStateStoreContract(
  name: string,
  factory: () => StateStoreHarness | Promise<StateStoreHarness>,
): void {
  describe(`StateStore contract: ${name}`, () => {
    let harness: StateStoreHarness;
    let store: StateStore;

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    async function addContainer(overrides: Partial<ContainerConfig> = {}, state?: ContainerState): Promise<ContainerConfig> {
      const config = sampleConfig(overrides);
      await store.containers.add(config, state ?? initialState(ContainerStatus.Configured));
      return config;
    }

    describe('containers', () => {
      it('adds a container and reads back its config and state', async () => {
        const config = sampleConfig({ labels: { 'ünï': 'cödé ✓' }, dependencies: [] });
        const state = { ...initialState(ContainerStatus.Configured), error: 'none yet' };
        await store.containers.add(config, state);
        expect(await store.containers.getConfig(config.id)).toEqual(config);
        expect(await store.containers.getState(config.id)).toEqual(state);
      });

      it('keeps what it stores away from the caller (copies in and out)', async () => {
        const config = sampleConfig();
        const state = initialState(ContainerStatus.Configured);
        await store.containers.add(config, state);
        config.command.push('mutated');
        state.pid = 42;
        const read = await store.containers.getConfig(config.id);
        expect(read.command).toEqual(['echo hello']);
        read.labels.app = 'changed';
        expect((await store.containers.getConfig(config.id)).labels.app).toBe('test');
        const readState = await store.containers.getState(config.id);
        expect(readState.pid).toBe(0);
        readState.pid = 7;
        expect((await store.containers.getState(config.id)).pid).toBe(0);
        const [listed] = await store.containers.list();
        listed!.state.status = ContainerStatus.Running;
        expect((await store.containers.getState(config.id)).status).toBe(ContainerStatus.Configured);
      });

      it('rejects a duplicate id or name with CTR_EXISTS and leaves the store unchanged', async () => {
        const first = await addContainer({ name: 'web' });
        expect(await codeOfRejection(() => store.containers.add(sampleConfig({ id: first.id, name: 'other' }), initialState(ContainerStatus.Configured)))).toBe(
          ErrorCode.CtrExists,
        );
        expect(await codeOfRejection(() => store.containers.add(sampleConfig({ name: 'web' }), initialState(ContainerStatus.Configured)))).toBe(
          ErrorCode.CtrExists,
        );
        const all = await store.containers.list();
        expect(all.map((r) => r.config.id)).toEqual([first.id]);
        expect(await store.containers.lookup('other').catch((e: CorralError) => e.code)).toBe(ErrorCode.NoSuchCtr);
      });

      it('answers NO_SUCH_CTR for every operation on an unknown id', async () => {
        const id = randomId();
        expect(await codeOfRejection(() => store.containers.getConfig(id))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.getState(id))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.saveState(id, initialState(ContainerStatus.Running)))).toBe(
          ErrorCode.NoSuchCtr,
        );
        expect(await codeOfRejection(() => store.containers.remove(id))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.lookup(id))).toBe(ErrorCode.NoSuchCtr);
      });

      it('saves the state without touching the config', async () => {
        const config = await addContainer();
        const state: ContainerState = {
          ...initialState(ContainerStatus.Running),
          pid: 1234,
          conmonPid: 1200,
          startedAt: new Date().toISOString(),
          mountPoint: '/var/lib/corral/overlay/merged',
          mountCount: 1,
        };
        await store.containers.saveState(config.id, state);
        expect(await store.containers.getState(config.id)).toEqual(state);
        expect(await store.containers.getConfig(config.id)).toEqual(config);
        state.status = ContainerStatus.Exited;
        state.exitCode = 3;
        await store.containers.saveState(config.id, state);
        expect(await store.containers.getState(config.id)).toEqual(state);
      });

      it('keeps networkStatus as arbitrary JSON', async () => {
        const config = await addContainer();
        const networkStatus = {
          podman: { interfaces: { eth0: { subnets: [{ ipnet: '10.89.0.5/24', gateway: '10.89.0.1' }], mac: '0a:58:0a:59:00:05' } } },
          list: [1, 2.5, -3, null, true, 'x', { nested: [[]] }],
          text: 'quote " backslash \\ newline \n unicode ✓',
        };
        await store.containers.saveState(config.id, { ...initialState(ContainerStatus.Running), networkStatus });
        expect((await store.containers.getState(config.id)).networkStatus).toEqual(networkStatus);
        await store.containers.saveState(config.id, { ...initialState(ContainerStatus.Running), networkStatus: 'a string' });
        expect((await store.containers.getState(config.id)).networkStatus).toBe('a string');
        await store.containers.saveState(config.id, { ...initialState(ContainerStatus.Running), networkStatus: null });
        expect((await store.containers.getState(config.id)).networkStatus).toBeNull();
      });

      it('lists every container with its current state', async () => {
        expect(await store.containers.list()).toEqual([]);
        const a = await addContainer();
        const b = await addContainer({}, initialState(ContainerStatus.Created));
        await store.containers.saveState(a.id, { ...initialState(ContainerStatus.Running), pid: 99 });
        const all = await store.containers.list();
        const byId = new Map(all.map((r) => [r.config.id, r]));
        expect(all).toHaveLength(2);
        expect(byId.get(a.id)).toEqual({ config: a, state: { ...initialState(ContainerStatus.Running), pid: 99 } });
        expect(byId.get(b.id)).toEqual({ config: b, state: initialState(ContainerStatus.Created) });
      });

      it('looks up by exact id, exact name, then unique id prefix', async () => {
        const a = await addContainer({ id: `abc1${randomId().slice(4)}`, name: 'alpha' });
        const b = await addContainer({ id: `abc2${randomId().slice(4)}`, name: 'beta' });
        expect(await store.containers.lookup(a.id)).toBe(a.id);
        expect(await store.containers.lookup('alpha')).toBe(a.id);
        expect(await store.containers.lookup('beta')).toBe(b.id);
        expect(await store.containers.lookup('abc1')).toBe(a.id);
        expect(await store.containers.lookup(b.id.slice(0, 12))).toBe(b.id);
        expect(await codeOfRejection(() => store.containers.lookup('abc'))).toBe(ErrorCode.CtrAmbiguous);
        expect(await codeOfRejection(() => store.containers.lookup('zzz'))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.lookup(''))).toBe(ErrorCode.NoSuchCtr);
        // An exact name wins over an id prefix, an exact id over a name.
        const named = await addContainer({ name: 'abc' });
        expect(await store.containers.lookup('abc')).toBe(named.id);
        const impostor = await addContainer({ name: a.id });
        expect(await store.containers.lookup(a.id)).toBe(a.id);
        expect(impostor.name).toBe(a.id);
      });

      it('treats SQL and glob wildcards in a prefix literally', async () => {
        await addContainer({ id: `ab${randomId().slice(2)}` });
        for (const pattern of ['%', '_', 'a_', 'a%', '*', 'a*', '?b', '[a]', '.', '\\']) {
          expect(await codeOfRejection(() => store.containers.lookup(pattern))).toBe(ErrorCode.NoSuchCtr);
        }
      });

      it('rejects a dependency on an unknown container with NO_SUCH_CTR', async () => {
        const missing = randomId();
        const config = sampleConfig({ dependencies: [missing] });
        expect(await codeOfRejection(() => store.containers.add(config, initialState(ContainerStatus.Configured)))).toBe(
          ErrorCode.NoSuchCtr,
        );
        expect(await store.containers.list()).toEqual([]);
      });

      it('reports dependents', async () => {
        const db = await addContainer();
        const other = await addContainer();
        const app = await addContainer({ dependencies: [db.id, other.id] });
        const worker = await addContainer({ dependencies: [db.id] });
        expect((await store.containers.dependents(db.id)).sort()).toEqual([app.id, worker.id].sort());
        expect(await store.containers.dependents(other.id)).toEqual([app.id]);
        expect(await store.containers.dependents(app.id)).toEqual([]);
        expect(await store.containers.dependents(randomId())).toEqual([]);
        await store.containers.remove(app.id);
        expect(await store.containers.dependents(db.id)).toEqual([worker.id]);
        expect(await store.containers.dependents(other.id)).toEqual([]);
      });

      it('removes config, state, exec sessions and dependency edges, and frees the name', async () => {
        const dep = await addContainer();
        const config = await addContainer({ name: 'gone', dependencies: [dep.id] });
        const dependent = await addContainer({ dependencies: [config.id] });
        const session = sampleExecSession(config.id);
        await store.execSessions.add(session);
        const keep = sampleExecSession(dep.id);
        await store.execSessions.add(keep);

        await store.containers.remove(config.id);
        expect(await codeOfRejection(() => store.containers.getConfig(config.id))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.getState(config.id))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.containers.lookup('gone'))).toBe(ErrorCode.NoSuchCtr);
        expect(await codeOfRejection(() => store.execSessions.get(session.id))).toBe(ErrorCode.NoSuchExecSession);
        expect(await store.execSessions.listFor(config.id)).toEqual([]);
        expect(await store.execSessions.get(keep.id)).toEqual(keep);
        expect(await store.containers.dependents(dep.id)).toEqual([]);
        expect(await store.containers.dependents(config.id)).toEqual([]);
        expect((await store.containers.list()).map((r) => r.config.id).sort()).toEqual([dep.id, dependent.id].sort());
        expect(await codeOfRejection(() => store.containers.remove(config.id))).toBe(ErrorCode.NoSuchCtr);

        const again = await addContainer({ name: 'gone' });
        expect(await store.containers.lookup('gone')).toBe(again.id);
      });

      it('serves many concurrent callers', async () => {
        const configs = await Promise.all(Array.from({ length: 40 }, () => addContainer()));
        await Promise.all(
          configs.map((c, i) => store.containers.saveState(c.id, { ...initialState(ContainerStatus.Running), pid: 1000 + i })),
        );
        const all = await store.containers.list();
        expect(all).toHaveLength(40);
        await Promise.all(configs.map(async (c, i) => expect((await store.containers.getState(c.id)).pid).toBe(1000 + i)));
        await Promise.all(configs.slice(0, 20).map((c) => store.containers.remove(c.id)));
        expect(await store.containers.list()).toHaveLength(20);
      });
    });

    describe('exec sessions', () => {
      it('adds, reads, saves, lists and removes sessions', async () => {
        const config = await addContainer();
        const a = sampleExecSession(config.id);
        const b = sampleExecSession(config.id, { config: { ...sampleExecSession(config.id).config, terminal: true } });
        await store.execSessions.add(a);
        await store.execSessions.add(b);
        expect(await store.execSessions.get(a.id)).toEqual(a);
        const running: ExecSession = { ...a, status: 'running', pid: 4242 };
        await store.execSessions.save(running);
        expect(await store.execSessions.get(a.id)).toEqual(running);
        const listed = await store.execSessions.listFor(config.id);
        expect(listed.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
        expect(listed.find((s) => s.id === a.id)).toEqual(running);
        await store.execSessions.remove(b.id);
        expect((await store.execSessions.listFor(config.id)).map((s) => s.id)).toEqual([a.id]);
        expect(await store.execSessions.listFor(randomId())).toEqual([]);
      });

      it('keeps sessions away from the caller (copies in and out)', async () => {
        const config = await addContainer();
        const session = sampleExecSession(config.id);
        await store.execSessions.add(session);
        session.config.command.push('mutated');
        const read = await store.execSessions.get(session.id);
        expect(read.config.command).toEqual(['ls', '-l']);
        read.config.env.push('X=1');
        expect((await store.execSessions.get(session.id)).config.env).toEqual([]);
      });

      it('answers NO_SUCH_CTR for a session of an unknown container', async () => {
        expect(await codeOfRejection(() => store.execSessions.add(sampleExecSession(randomId())))).toBe(ErrorCode.NoSuchCtr);
      });

      it('answers NO_SUCH_EXEC_SESSION for an unknown session', async () => {
        const config = await addContainer();
        const session = sampleExecSession(config.id);
        expect(await codeOfRejection(() => store.execSessions.get(session.id))).toBe(ErrorCode.NoSuchExecSession);
        expect(await codeOfRejection(() => store.execSessions.save(session))).toBe(ErrorCode.NoSuchExecSession);
        expect(await codeOfRejection(() => store.execSessions.remove(session.id))).toBe(ErrorCode.NoSuchExecSession);
      });

      it('rejects a duplicate session id and keeps the first', async () => {
        const config = await addContainer();
        const session = sampleExecSession(config.id);
        await store.execSessions.add(session);
        await codeOfRejection(() => store.execSessions.add({ ...session, pid: 9 }));
        expect(await store.execSessions.get(session.id)).toEqual(session);
      });
    });

    describe('exit codes', () => {
      it('records and answers exit codes, also after the container is removed', async () => {
        const config = await addContainer();
        expect(await store.exitCodes.get(config.id)).toBeUndefined();
        await store.exitCodes.record(config.id, 0);
        expect(await store.exitCodes.get(config.id)).toBe(0);
        await store.exitCodes.record(config.id, 137);
        expect(await store.exitCodes.get(config.id)).toBe(137);
        await store.containers.remove(config.id);
        expect(await store.exitCodes.get(config.id)).toBe(137);
        // A container that never was in the store may have a code too (its exit raced its removal).
        const ghost = randomId();
        await store.exitCodes.record(ghost, 1);
        expect(await store.exitCodes.get(ghost)).toBe(1);
      });

      it('prunes codes older than the given age and counts them', async () => {
        const a = randomId();
        const b = randomId();
        await store.exitCodes.record(a, 1);
        await store.exitCodes.record(b, 2);
        expect(await store.exitCodes.prune(60_000)).toBe(0);
        expect(await store.exitCodes.get(a)).toBe(1);
        await sleep(300);
        const c = randomId();
        await store.exitCodes.record(c, 3);
        expect(await store.exitCodes.prune(150)).toBe(2);
        expect(await store.exitCodes.get(a)).toBeUndefined();
        expect(await store.exitCodes.get(b)).toBeUndefined();
        expect(await store.exitCodes.get(c)).toBe(3);
        await sleep(5);
        expect(await store.exitCodes.prune(0)).toBe(1);
        expect(await store.exitCodes.get(c)).toBeUndefined();
      });
    });

    describe('networks', () => {
      it('adds networks and gets them by name, id or unique id prefix', async () => {
        const a = sampleNetwork({ id: `ab1${randomId().slice(3)}`, name: 'front', labels: { tier: 'web' } });
        const b = sampleNetwork({ id: `ab2${randomId().slice(3)}`, name: 'back', subnets: [{ subnet: 'fd00::/64', gateway: 'fd00::1', ipRange: 'fd00::/80' }] });
        await store.networks.add(a);
        await store.networks.add(b);
        expect(await store.networks.get('front')).toEqual(a);
        expect(await store.networks.get(b.id)).toEqual(b);
        expect(await store.networks.get('ab1')).toEqual(a);
        // No network-specific code exists for an ambiguous prefix: it is the caller's input at fault.
        expect(await codeOfRejection(() => store.networks.get('ab'))).toBe(ErrorCode.InvalidArg);
        expect(await codeOfRejection(() => store.networks.get('nope'))).toBe(ErrorCode.NoSuchNetwork);
        expect(await codeOfRejection(() => store.networks.get(''))).toBe(ErrorCode.NoSuchNetwork);
        expect((await store.networks.list()).map((n) => n.name).sort()).toEqual(['back', 'front']);
        const read = await store.networks.get('front');
        read.labels.tier = 'changed';
        expect((await store.networks.get('front')).labels.tier).toBe('web');
      });

      it('rejects a taken name or id with NETWORK_EXISTS', async () => {
        const a = sampleNetwork({ name: 'taken' });
        await store.networks.add(a);
        expect(await codeOfRejection(() => store.networks.add(sampleNetwork({ name: 'taken' })))).toBe(ErrorCode.NetworkExists);
        expect(await codeOfRejection(() => store.networks.add(sampleNetwork({ id: a.id, name: 'fresh' })))).toBe(
          ErrorCode.NetworkExists,
        );
        expect(await store.networks.list()).toEqual([a]);
      });

      it('removes a network with its allocations; NO_SUCH_NETWORK when absent', async () => {
        const net = sampleNetwork({ name: 'temp' });
        await store.networks.add(net);
        await store.networks.allocate('temp', randomId(), '10.89.0.2');
        await store.networks.remove('temp');
        expect(await codeOfRejection(() => store.networks.get('temp'))).toBe(ErrorCode.NoSuchNetwork);
        expect(await codeOfRejection(() => store.networks.remove('temp'))).toBe(ErrorCode.NoSuchNetwork);
        expect(await codeOfRejection(() => store.networks.allocations('temp'))).toBe(ErrorCode.NoSuchNetwork);
        await store.networks.add(sampleNetwork({ name: 'temp' }));
        expect(await store.networks.allocations('temp')).toEqual([]);
      });

      it('hands out each address on a network once', async () => {
        await store.networks.add(sampleNetwork({ name: 'n1' }));
        await store.networks.add(sampleNetwork({ name: 'n2' }));
        const c1 = randomId();
        const c2 = randomId();
        await store.networks.allocate('n1', c1, '10.89.0.2');
        await store.networks.allocate('n1', c1, '10.89.0.2');
        expect(await codeOfRejection(() => store.networks.allocate('n1', c2, '10.89.0.2'))).toBe(ErrorCode.NetworkExists);
        await store.networks.allocate('n1', c2, '10.89.0.3');
        await store.networks.allocate('n2', c2, '10.89.0.2');
        expect(await codeOfRejection(() => store.networks.allocate('n3', c2, '10.89.0.9'))).toBe(ErrorCode.NoSuchNetwork);
        const sortByIp = (l: { containerId: string; ip: string }[]) => [...l].sort((x, y) => x.ip.localeCompare(y.ip));
        expect(sortByIp(await store.networks.allocations('n1'))).toEqual([
          { containerId: c1, ip: '10.89.0.2' },
          { containerId: c2, ip: '10.89.0.3' },
        ]);
        expect(await store.networks.allocations('n2')).toEqual([{ containerId: c2, ip: '10.89.0.2' }]);
        await store.networks.release(c2);
        expect(await store.networks.allocations('n1')).toEqual([{ containerId: c1, ip: '10.89.0.2' }]);
        expect(await store.networks.allocations('n2')).toEqual([]);
        await store.networks.allocate('n1', c2, '10.89.0.3');
        await store.networks.release(randomId());
        expect(await store.networks.allocations('n1')).toHaveLength(2);
      });

      it('gives each of many concurrent allocations of one address to exactly one container', async () => {
        await store.networks.add(sampleNetwork({ name: 'race' }));
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.networks.allocate('race', randomId(), '10.89.0.50')),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.networks.allocations('race')).toHaveLength(1);
      });
    });
  });
}
