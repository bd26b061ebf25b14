import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { ServiceBox } from './harness.js';

let box: ServiceBox;
beforeAll(async () => {
  box = await ServiceBox.create({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await box?.dispose();
});

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: box.socket, method, path, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends raw bytes and returns whatever comes back before the server closes. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(box.socket);
    let text = '';
    s.on('data', (d) => (text += d));
    s.on('close', () => resolve(text));
    s.on('error', reject);
    s.end(bytes);
  });
}

function expectError(r: Response, status: number, message: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toBe('application/json');
  expect(JSON.parse(r.body).message).toMatch(message);
}

describe('protocol and errors', () => {
  it('/_ping answers OK with the API headers, versioned or not, GET and HEAD', async () => {
    for (const path of ['/_ping', '/v1.41/_ping', '/v1.44/_ping']) {
      const r = await call('GET', path);
      expect(r).toMatchObject({ status: 200, body: 'OK' });
      expect(r.headers).toMatchObject({ 'api-version': '1.44', ostype: 'linux', 'docker-experimental': 'false' });
    }
    expect((await call('HEAD', '/_ping')).status).toBe(200);
  });

  it('/version advertises 1.41 to 1.44', async () => {
    const r = await call('GET', '/v1.43/version');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toMatchObject({ ApiVersion: '1.44', MinAPIVersion: '1.41', Os: 'linux' });
  });

  it('rejects versions outside the range with Docker\'s wording', async () => {
    expectError(await call('GET', '/v1.40/version'), 400, /^client version 1\.40 is too old\. Minimum supported API version is 1\.41, please upgrade your client to a newer version$/);
    expectError(await call('GET', '/v1.45/version'), 400, /^client version 1\.45 is too new\. Maximum supported API version is 1\.44$/);
  });

  it('unknown routes and methods', async () => {
    expectError(await call('GET', '/v1.44/nothing/here'), 404, /page not found/);
    expectError(await call('PUT', '/v1.44/containers/json'), 405, /not allowed/);
  });

  it('unknown containers, images and exec sessions get 404 with Docker\'s wording', async () => {
    expectError(await call('GET', '/containers/nosuch/json'), 404, /^No such container: nosuch$/);
    expectError(await call('POST', '/containers/nosuch/start'), 404, /^No such container: nosuch$/);
    expectError(await call('DELETE', '/containers/nosuch'), 404, /^No such container: nosuch$/);
    expectError(await call('GET', '/images/nosuch/json'), 404, /^No such image: nosuch$/);
    expectError(await call('GET', '/exec/0123abcd/json'), 404, /^No such exec instance: 0123abcd$/);
    expectError(await call('POST', '/containers/create', JSON.stringify({ Image: 'nosuchimage' })), 404, /^No such image: nosuchimage$/);
  });

  it('malformed bodies get 400 and the service keeps serving', async () => {
    expectError(await call('POST', '/containers/create', '{"Image": "busybox",'), 400, /invalid JSON/);
    expectError(await call('POST', '/containers/create', '[1,2]'), 400, /expected a JSON object/);
    expectError(await call('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Cmd: 7 })), 400, /Cmd/);
    expectError(await call('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Binds: ['vol:/data'] } })), 400, /named volumes/);
    expectError(await call('POST', '/containers/create', JSON.stringify({})), 400, /Image is required/);
    expectError(await call('GET', '/containers/json?filters=notjson'), 400, /invalid filters/);
    expectError(await call('GET', '/containers/json?filters={"bogus":["x"]}'), 400, /invalid filter/);
    expectError(await call('POST', '/containers/nosuch/wait?condition=sometime'), 400, /invalid condition/);
    expect((await call('GET', '/_ping')).body).toBe('OK');
  });

  it('oversized bodies and headers get 413/431 and the service keeps serving', async () => {
    const big = JSON.stringify({ Image: 'busybox', Env: ['X='.padEnd(100 * 1024, 'x')] });
    expectError(await call('POST', '/containers/create', big), 413, /exceeds the limit/);
    const chunked = await call('POST', '/containers/create', big, { 'Transfer-Encoding': 'chunked' });
    expectError(chunked, 413, /exceeds the limit/);
    const headers = await raw(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
    expect(headers).toMatch(/^HTTP\/1\.1 431 /);
    expect(headers).toMatch(/Content-Type: application\/json/);
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect((await call('GET', '/_ping')).body).toBe('OK');
  });

  it('start/stop answer 304 when there is nothing to do; kill of a stopped container is 409', async () => {
    const created = await call('POST', '/containers/create?name=st', JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '30'] }));
    expect(created.status).toBe(201);
    const { Id } = JSON.parse(created.body);
    expect((await call('POST', `/containers/${Id}/stop`)).status).toBe(304);
    expectError(await call('POST', `/containers/${Id}/kill`), 409, /is not running/);
    expect((await call('POST', `/containers/${Id}/start`)).status).toBe(204);
    expect((await call('POST', `/containers/${Id}/start`)).status).toBe(304);
    expectError(await call('DELETE', `/containers/${Id}`), 409, /You cannot remove a running container/);
    const dup = await call('POST', '/containers/create?name=st', JSON.stringify({ Image: 'busybox', Cmd: ['true'] }));
    expectError(dup, 409, /st/);
    expect((await call('DELETE', `/containers/${Id}?force=1`)).status).toBe(204);
  });

  it('wait answers its status line at once and the code when the container exits', async () => {
    const created = await call('POST', '/containers/create', JSON.stringify({ Image: 'busybox', Cmd: ['sh', '-c', 'exit 9'] }));
    const { Id } = JSON.parse(created.body);
    const headersSeen = new Promise<{ status: number; body: Promise<string> }>((resolve, reject) => {
      const req = request({ socketPath: box.socket, method: 'POST', path: `/v1.44/containers/${Id}/wait?condition=next-exit` }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        resolve({ status: res.statusCode ?? 0, body: new Promise((r) => res.on('end', () => r(text))) });
      });
      req.on('error', reject);
      req.end();
    });
    // The header arrives before the container even starts.
    const { status, body } = await headersSeen;
    expect(status).toBe(200);
    expect((await call('POST', `/containers/${Id}/start`)).status).toBe(204);
    expect(JSON.parse(await body)).toEqual({ StatusCode: 9 });
    expect((await call('DELETE', `/containers/${Id}`)).status).toBe(204);
  });
});
